#include "eval/binary_classifier.h"
#include "../support/command_runner.h"
#include "eval_test_support.h"
#include "image/manifest.h"
#include "image/png_io.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <sys/wait.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace dpflow {
namespace {

namespace fs = std::filesystem;

using CommandResult = test::CommandRun;

CommandResult run(const std::string& arguments) { return test::runDpflow(arguments); }

// A blob-task dataset as PNGs with a manifest: train 64, val 16, test 24 images of `size` px.
fs::path writeDataset(const std::string& name, int size) {
    const auto dir = fs::temp_directory_path() / ("dpflow_eval_cli_" + name + "_" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    Manifest manifest({"file", "split", "finding"}, dir);
    const std::array<std::pair<const char*, int>, 3> splits{{{"train", 64}, {"val", 16}, {"test", 24}}};
    std::uint64_t seed = 1;
    for (const auto& [split, count] : splits) {
        const auto data = test::blobTask(count, size, seed++);
        for (int i = 0; i < count; ++i) {
            const auto file = std::string(split) + "_" + std::to_string(i) + ".png";
            writePng(data.images[i], dir / file, 8);
            manifest.addRow({file, split, std::to_string(data.labels[i])});
        }
    }
    manifest.write(dir / "manifest.csv");
    return dir;
}

// A tiny classifier saved in-process, so the eval tests do not each pay for a CLI training run.
const fs::path& trainedModel() {
    static const fs::path model = [] {
        const auto dir = writeDataset("eval", 16);
        ClassifierTrainOptions options;
        options.image_size = 16;
        options.base_channels = 4;
        options.epochs = 1;
        auto classifier = BinaryClassifier::train(test::blobTask(32, 16, 1), test::blobTask(8, 16, 2), options);
        classifier.card().label_column = "finding";
        classifier.save(dir / "model.safetensors", SafetensorsDtype::F16);
        return dir / "model.safetensors";
    }();
    return model;
}

TEST(ClassifierCli, TrainWritesWeightsAndACardWithTheTestAuc) {
    const auto dir = writeDataset("train", 16);
    const auto weights = dir / "model.safetensors";
    const auto result = run("classifier train --data " + (dir / "manifest.csv").string() +
                            " --label-column finding --size 16 --channels 4 --epochs 2 --batch 16 --threads 1 --out " +
                            weights.string());
    ASSERT_EQ(result.status, 0) << result.output;
    EXPECT_NE(result.output.find("epoch 2/2"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("ETA"), std::string::npos) << result.output;
    ASSERT_TRUE(fs::exists(weights));
    std::ifstream in(fs::path(weights).replace_extension(".json"));
    const auto card = nlohmann::json::parse(in);
    EXPECT_EQ(card.at("format"), "dpflow-classifier");
    EXPECT_EQ(card.at("architecture").at("image_size"), 16);
    EXPECT_EQ(card.at("training").at("label_column"), "finding");
    EXPECT_EQ(card.at("training").at("manifest_sha256").get<std::string>().size(), 64u);
    EXPECT_NE(card.at("training").at("command").get<std::string>().find("dpflow classifier train"), std::string::npos);
    EXPECT_EQ(card.at("test").at("positives"), 12);
    EXPECT_EQ(card.at("storage_dtype"), "F16");
}

TEST(ClassifierCli, EvalPrintsAucWithIntervalAndCaseCounts) {
    const auto dir = trainedModel().parent_path();
    const auto result = run("classifier eval --threads 1 --model " + trainedModel().string() + " --data " +
                            (dir / "manifest.csv").string());
    EXPECT_EQ(result.status, 0) << result.output;
    EXPECT_EQ(result.output.rfind("AUC ", 0), 0u) << result.output;
    EXPECT_NE(result.output.find("cases: 12 positives, 12 negatives"), std::string::npos) << result.output;
}

TEST(ClassifierCli, EvalNotesImagesOfAnotherSize) {
    const auto dir = writeDataset("resize", 20);
    const auto result = run("classifier eval --threads 1 --model " + trainedModel().string() + " --data " +
                            (dir / "manifest.csv").string());
    EXPECT_EQ(result.status, 0) << result.output;
    EXPECT_NE(result.output.find("note: 24 images of 20x20 resized to the model's 16x16"), std::string::npos)
        << result.output;
}

TEST(ClassifierCli, EvalReportsAMissingLabelColumn) {
    const auto dir = trainedModel().parent_path();
    const auto result = run("classifier eval --threads 1 --model " + trainedModel().string() + " --data " +
                            (dir / "manifest.csv").string() + " --label-column pneumonia");
    EXPECT_EQ(result.status, 1);
    EXPECT_NE(result.output.find("no column 'pneumonia'"), std::string::npos) << result.output;
}

TEST(ClassifierCli, EvalRejectsAFileThatIsNotAClassifier) {
    const auto dir = trainedModel().parent_path();
    const auto bogus = dir / "bogus.safetensors";
    std::ofstream(bogus) << "not a model";
    const auto result = run("classifier eval --threads 1 --model " + bogus.string() + " --data " +
                            (dir / "manifest.csv").string());
    EXPECT_EQ(result.status, 1);
    EXPECT_NE(result.output.find(bogus.string()), std::string::npos) << result.output;
}

}  // namespace
}  // namespace dpflow
