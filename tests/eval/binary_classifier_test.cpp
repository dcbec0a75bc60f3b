#include "eval/binary_classifier.h"
#include "eval/classifier_evaluation.h"
#include "eval/classifier_score_features.h"
#include "eval/reidentification.h"
#include "eval_test_support.h"
#include "image/manifest.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
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

// The score attacker (SweepAttacker::Score) compares the public classifier's logits of a film's
// original and its release: its features are that logit, finite even for a saturated score.
TEST(ClassifierScoreFeatures, AreTheLogitOfTheClassifiersScoreAndStayFiniteWhenItSaturates) {
    EXPECT_FLOAT_EQ(scoreLogit(0.5), 0.0f);
    EXPECT_NEAR(scoreLogit(0.9), std::log(9.0), 1e-5);
    EXPECT_FLOAT_EQ(scoreLogit(0.1), -scoreLogit(0.9));
    EXPECT_TRUE(std::isfinite(scoreLogit(0.0)) && std::isfinite(scoreLogit(1.0)));
    EXPECT_LT(scoreLogit(0.0), scoreLogit(1e-3));

    const auto model = BinaryClassifier::train(test::blobTask(32, 16, 1), test::blobTask(8, 16, 2), tinyOptions(1));
    const LabelledImages films = test::blobTask(6, 16, 4);
    const std::vector<double> scores = model.predict(films.images);
    const std::vector<std::vector<float>> features = classifierScoreFeatures(model, films.images);
    ASSERT_EQ(features.size(), films.images.size());
    for (std::size_t i = 0; i < features.size(); ++i) {
        ASSERT_EQ(features[i].size(), 1u);
        EXPECT_FLOAT_EQ(features[i][0], scoreLogit(scores[i]));
    }
}

// Why the attacker exists: a release that keeps the film's score keeps a mark of its patient. Six
// films whose scores differ, each released unchanged but for a little noise that leaves its score
// nearer its own original's than any other's, are each linked to their original.
TEST(ClassifierScoreFeatures, LinkAReleaseThatKeepsItsScoreToItsOriginal) {
    IdentityFeatures originals, releases;
    const float logits[] = {-2.0f, -1.0f, -0.2f, 0.4f, 1.3f, 2.5f};
    for (int i = 0; i < 6; ++i) {
        originals.features.push_back({logits[i]});
        originals.identities.push_back("film" + std::to_string(i));
        releases.features.push_back({logits[i] + (i % 2 ? 0.15f : -0.15f)});
        releases.identities.push_back("film" + std::to_string(i));
    }
    const ReidentificationResult linked = matchIdentities(originals, releases, FeatureSimilarity::Euclidean);
    EXPECT_EQ(linked.top1_hits, 6u);
    EXPECT_DOUBLE_EQ(linked.verification.auc, 1.0);
}

}  // namespace
}  // namespace dpflow
