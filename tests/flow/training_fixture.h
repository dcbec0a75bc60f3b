#pragma once

// A temporary folder holding a small synthetic training set (PNG files and a manifest) for the
// trainer, facade and CLI tests.

#include "flow_test_support.h"
#include "image/manifest.h"
#include "image/png_io.h"

#include <filesystem>
#include <random>
#include <string>

namespace dpflow::test {

class TrainingFixture : public FlowTest {
protected:
    void SetUp() override {
        FlowTest::SetUp();
        dir_ = std::filesystem::temp_directory_path() /
               ("dpflow_flow_" + std::to_string(::getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_ / "png");
        Manifest manifest({"file", "split", "label"}, dir_);
        std::mt19937 rng(static_cast<unsigned>(seed_));
        std::normal_distribution<float> noise(0.0f, 0.05f);
        for (int i = 0; i < 40; ++i) {
            // Two classes with different structure: a bright disc or a horizontal gradient.
            const bool disc = i % 2 == 0;
            auto image = makeImage(6, 6);
            for (int y = 0; y < 6; ++y) {
                for (int x = 0; x < 6; ++x) {
                    const float base = disc ? ((x - 2.5f) * (x - 2.5f) + (y - 2.5f) * (y - 2.5f) < 5.0f ? 0.8f : 0.2f)
                                            : static_cast<float>(x) / 5.0f;
                    image.at(x, y) = std::clamp(base + noise(rng), 0.0f, 1.0f);
                }
            }
            const std::string name = "png/img_" + std::to_string(i) + ".png";
            writePng(image, dir_ / name, 8);
            manifest.addRow({name, i < 32 ? "train" : "val", disc ? "1" : "0"});
        }
        manifest.write(dir_ / "manifest.csv");
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::filesystem::path dir_;
};

}  // namespace dpflow::test
