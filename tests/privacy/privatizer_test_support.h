#pragma once

// A tiny conditional flow trained once per test program (8x8 images, attributes label {0,1}
// and sex {F,M}), the PNG study it was trained on, and helpers shared by the privatizer and
// CLI tests. Training takes well under a second on one thread.

#include "flow/flow_trainer.h"
#include "flow/model_card.h"
#include "flow/safetensors.h"
#include "image/manifest.h"
#include "image/png_io.h"
#include "flow/runtime.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>

namespace dpflow::test {

/// Paths of the shared study and models, created by TinyFlowEnvironment.
struct TinyFlowFiles {
    std::filesystem::path dir;
    std::filesystem::path manifest;         ///< all 24 images, columns file, split, label, sex
    std::filesystem::path model;            ///< trained, calibrated on split "train"
    std::filesystem::path uncalibrated;     ///< the same weights with the calibration removed
};

inline TinyFlowFiles& tinyFlowFiles() {
    static TinyFlowFiles files;
    return files;
}

/// A smooth 6x6 image of class `label` whose details vary with `index`.
inline Image studyImage(int index, int label) {
    Image image = makeImage(6, 6);
    for (int y = 0; y < 6; ++y)
        for (int x = 0; x < 6; ++x) {
            const float disc = (x - 2.5f) * (x - 2.5f) + (y - 2.5f) * (y - 2.5f) < 5.0f ? 0.8f : 0.2f;
            const float ramp = static_cast<float>(x) / 5.0f;
            const float detail = 0.1f * std::sin(0.7f * index + x * 1.3f + y * 0.9f);
            image.at(x, y) = std::clamp((label ? disc : ramp) + detail, 0.0f, 1.0f);
        }
    return image;
}

class TinyFlowEnvironment : public ::testing::Environment {
public:
    void SetUp() override {
        configureThreads(1);  // the machine is shared
        auto& f = tinyFlowFiles();
        f.dir = std::filesystem::temp_directory_path() / ("dpflow_privatizer_" + std::to_string(::getpid()));
        std::filesystem::remove_all(f.dir);
        std::filesystem::create_directories(f.dir / "png");
        Manifest manifest({"file", "split", "label", "sex"}, f.dir);
        for (int i = 0; i < 24; ++i) {
            const std::string name = "png/img_" + std::to_string(i) + ".png";
            writePng(studyImage(i, i % 2), f.dir / name, 8);
            manifest.addRow({name, i < 20 ? "train" : "val", std::to_string(i % 2), i % 3 ? "F" : "M"});
        }
        f.manifest = f.dir / "manifest.csv";
        manifest.write(f.manifest);

        TrainOptions o;
        o.manifest = f.manifest;
        o.attributes = {"label", "sex"};
        o.architecture.image_size = 8;
        o.architecture.levels = 2;
        o.architecture.steps = 2;
        o.architecture.hidden_channels = 8;
        o.fit = FitMode::Pad;
        o.output = f.dir / "tiny.safetensors";
        o.epochs = 1;
        o.batch_size = 8;
        o.threads = 1;
        o.seed = 7;
        trainFlow(o);
        f.model = o.output;

        SafetensorsFile file = readSafetensors(f.model);
        file.tensors.erase("calibration.lo");
        file.tensors.erase("calibration.hi");
        ModelCard card = modelCardFromJson(nlohmann::json::parse(file.metadata.at("model_card")));
        card.calibration_set.clear();
        card.calibration_images = 0;
        file.metadata["model_card"] = modelCardToJson(card).dump();
        f.uncalibrated = f.dir / "uncalibrated.safetensors";
        writeSafetensors(f.uncalibrated, file);
    }
    void TearDown() override { std::filesystem::remove_all(tinyFlowFiles().dir); }
};

// Registered once per test program, whichever test files include this header.
inline ::testing::Environment* const kTinyFlowEnvironment = ::testing::AddGlobalTestEnvironment(new TinyFlowEnvironment);

}  // namespace dpflow::test
