#include "eval/binary_classifier.h"
#include "eval/classifier_evaluation.h"
#include "eval_test_support.h"
#include "image/manifest.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace dpflow {
namespace {

namespace fs = std::filesystem;

ClassifierTrainOptions tinyOptions(int epochs) {
    ClassifierTrainOptions options;
    options.image_size = 16;
    options.base_channels = 4;
    options.epochs = epochs;
    options.batch_size = 16;
    options.learning_rate = 5e-3;
    options.max_shift = 1;
    options.seed = 3;
    return options;
}

fs::path tempDir(const std::string& name) {
    const auto dir = fs::temp_directory_path() / ("dpflow_eval_" + name + "_" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

TEST(BinaryClassifier, TrainingLowersTheLoss) {
    std::vector<ClassifierEpoch> history;
    BinaryClassifier::train(test::blobTask(96, 16, 1), test::blobTask(16, 16, 2), tinyOptions(4), &history);
    ASSERT_EQ(history.size(), 4u);
    EXPECT_LT(history.back().train_loss, 0.8 * history.front().train_loss);
}

TEST(BinaryClassifier, LearnsAnEasyTaskToAucAboveNinetyPercent) {
    const auto model = BinaryClassifier::train(test::blobTask(160, 16, 1), test::blobTask(20, 16, 2), tinyOptions(8));
    const auto result = evaluateClassifier(model, test::blobTask(60, 16, 3));
    EXPECT_GT(result.auc.auc, 0.9);
    EXPECT_EQ(result.auc.positives, 30u);
    EXPECT_EQ(result.auc.negatives, 30u);
    EXPECT_GE(model.card().selected_epoch, 1);
    EXPECT_LE(model.card().selected_epoch, 8);
}

TEST(BinaryClassifier, SaveAndLoadGiveBitExactPredictions) {
    const auto dir = tempDir("save_load");
    const auto model = BinaryClassifier::train(test::blobTask(32, 16, 1), test::blobTask(8, 16, 2), tinyOptions(1));
    model.save(dir / "m.safetensors", SafetensorsDtype::F32);
    const auto loaded = BinaryClassifier::load(dir / "m.safetensors");
    const auto probe = test::blobTask(10, 16, 4).images;
    EXPECT_EQ(model.predict(probe), loaded.predict(probe));
    EXPECT_EQ(loaded.card().image_size, 16);
    EXPECT_EQ(loaded.card().storage_dtype, "F32");
    EXPECT_TRUE(fs::exists(dir / "m.json"));
}

TEST(BinaryClassifier, HalfPrecisionStorageKeepsTheRanking) {
    const auto model = BinaryClassifier::train(test::blobTask(96, 16, 1), test::blobTask(16, 16, 2), tinyOptions(3));
    const auto half = BinaryClassifier::fromSafetensors(model.toSafetensors(SafetensorsDtype::F16), "half");
    const auto data = test::blobTask(40, 16, 5);
    EXPECT_NEAR(evaluateClassifier(half, data).auc.auc, evaluateClassifier(model, data).auc.auc, 0.01);
}

TEST(BinaryClassifier, CorruptWeightsAreRejected) {
    const auto dir = tempDir("corrupt");
    const auto model = BinaryClassifier::train(test::blobTask(32, 16, 1), test::blobTask(8, 16, 2), tinyOptions(1));
    model.save(dir / "m.safetensors", SafetensorsDtype::F32);
    {
        std::fstream file(dir / "m.safetensors", std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(-5, std::ios::end);  // inside the last tensor's data
        file.put('\x5a');
    }
    EXPECT_THROW(
        {
            try {
                BinaryClassifier::load(dir / "m.safetensors");
            } catch (const SafetensorsError& e) {
                EXPECT_NE(std::string(e.what()).find("corrupt"), std::string::npos) << e.what();
                throw;
            }
        },
        SafetensorsError);
    fs::resize_file(dir / "m.safetensors", 100);
    EXPECT_THROW(BinaryClassifier::load(dir / "m.safetensors"), SafetensorsError);
}

TEST(BinaryClassifier, ImagesOfAnotherSizeAreResizedWithANote) {
    const auto model = BinaryClassifier::train(test::blobTask(32, 16, 1), test::blobTask(8, 16, 2), tinyOptions(1));
    const auto result = evaluateClassifier(model, test::blobTask(6, 24, 7));
    EXPECT_EQ(result.resized, 6u);
    EXPECT_EQ(result.note, "6 images of 24x24 resized to the model's 16x16");
}

TEST(BinaryClassifier, ValidationSetWithoutBothClassesIsRejected) {
    auto val = test::blobTask(8, 16, 2);
    for (auto& label : val.labels) label = 0;
    EXPECT_THROW(BinaryClassifier::train(test::blobTask(32, 16, 1), val, tinyOptions(1)), std::invalid_argument);
}

TEST(LabelledImages, MissingLabelColumnNamesTheColumns) {
    Manifest manifest({"file", "split", "label"}, fs::temp_directory_path());
    manifest.addRow({"a.png", "train", "1"});
    try {
        loadLabelledImages(manifest, "train", "pathology");
        FAIL() << "expected ManifestError";
    } catch (const ManifestError& e) {
        EXPECT_NE(std::string(e.what()).find("no column 'pathology' (columns: file, split, label)"), std::string::npos)
            << e.what();
    }
}

TEST(LabelledImages, LabelsOtherThanZeroOrOneAreRejected) {
    Manifest manifest({"file", "split", "label"}, fs::temp_directory_path());
    manifest.addRow({"a.png", "train", "pneumonia"});
    EXPECT_THROW(loadLabelledImages(manifest, "train", "label"), ManifestError);
}

}  // namespace
}  // namespace dpflow
