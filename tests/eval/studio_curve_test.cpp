#include "eval/studio_curve.h"

#include "eval/classifier_card.h"
#include "sweep_test_support.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>

namespace dpflow {
namespace {

// A classifier card and its (empty) weights file, as the models folder holds them.
void writeClassifier(const std::filesystem::path& folder, const std::string& name, int image_size,
                     const std::string& label_column) {
    ClassifierCard card;
    card.image_size = image_size;
    card.label_column = label_column;
    card.storage_dtype = "F32";
    std::ofstream(folder / (name + ".json")) << classifierCardToJson(card).dump(2);
    std::ofstream(folder / (name + ".safetensors")) << "weights";
}

// A study: `patients` patients with `per_patient` images each, labels alternating by patient.
std::filesystem::path writeStudy(const std::filesystem::path& folder, int patients, int per_patient,
                                 const std::string& split) {
    const auto manifest = folder / "manifest.csv";
    std::ofstream out(manifest);
    out << "file,split,label,patient_id\n";
    for (int p = 0; p < patients; ++p)
        for (int i = 0; i < per_patient; ++i) out << "P" << p << "_" << i << ".png," << split << "," << p % 2 << ",P" << p << "\n";
    return manifest;
}

StudioCurveRequest requestFor(const std::filesystem::path& models, const std::filesystem::path& manifest) {
    StudioCurveRequest request;
    request.model_path = models / "phantom128-glow.safetensors";
    request.model_image_size = 128;
    request.study_manifest = manifest;
    request.mechanism = "cadp";
    request.keep_attributes = {"view"};
    request.protect_attributes = {"sex:1"};
    request.classifier_folders = {models};
    return request;
}

TEST(StudioCurve, PicksTheClassifierOfTheModelsFamilyBeforeOneThatOnlyHasItsSize) {
    test::TemporaryFolder models("dpflow-curve-family");
    writeClassifier(models.path(), "aaa-classifier", 128, "label");
    writeClassifier(models.path(), "phantom128-consolidation-classifier", 64, "label");
    const auto found = findStudioClassifier({models.path()}, models.path() / "phantom128-glow.safetensors", 128, {"label"});
    ASSERT_TRUE(found);
    EXPECT_EQ(found->filename(), "phantom128-consolidation-classifier.safetensors");
}

TEST(StudioCurve, FallsBackToAClassifierOfTheModelsSizeAndNeedsItsLabelColumn) {
    test::TemporaryFolder models("dpflow-curve-size");
    writeClassifier(models.path(), "other-classifier", 128, "label");
    EXPECT_TRUE(findStudioClassifier({models.path()}, "x/mine-glow.safetensors", 128, {"label"}));
    EXPECT_FALSE(findStudioClassifier({models.path()}, "x/mine-glow.safetensors", 64, {"label"}));
    EXPECT_FALSE(findStudioClassifier({models.path()}, "x/mine-glow.safetensors", 128, {"finding"}));
}

TEST(StudioCurve, PlansTheTestSplitWithReidentificationWhenPatientsHaveSeveralImages) {
    test::TemporaryFolder folder("dpflow-curve-plan");
    writeClassifier(folder.path(), "phantom128-consolidation-classifier", 128, "label");
    StudioCurveRequest request = requestFor(folder.path(), writeStudy(folder.path(), 6, 2, "test"));
    request.embedding_path = folder.path() / "phantom128-reid-embedding.safetensors";
    request.linkage_embedding_path = folder.path() / "phantom128-linkage-embedding.safetensors";
    const auto plan = planStudioCurve(request);
    const SweepSettings& s = plan.settings;
    EXPECT_EQ(s.split, "test");
    EXPECT_EQ(s.mechanisms, std::vector<std::string>{"cadp"});
    EXPECT_EQ(s.epsilons, studioCurveEpsilons());
    EXPECT_EQ(s.epsilons.front(), 1.0);
    EXPECT_EQ(s.epsilons.back(), 1e8);
    EXPECT_EQ(s.keep_attributes, std::vector<std::string>{"view"});
    EXPECT_EQ(s.protect_attributes, std::vector<std::string>{"sex:1"});
    EXPECT_TRUE(s.protocol_a);
    EXPECT_TRUE(s.reidentification);
    EXPECT_EQ(s.max_images, kStudioCurveMaxImages);
    EXPECT_EQ(std::filesystem::path(s.classifier_path).filename(), "phantom128-consolidation-classifier.safetensors");
    EXPECT_NE(plan.description.find("with re-identification (embedding attacker phantom128-reid-embedding"), std::string::npos)
        << plan.description;
    EXPECT_EQ(s.embedding_path, request.embedding_path.string());
    EXPECT_EQ(s.linkage_embedding_path, request.linkage_embedding_path.string());
}

TEST(StudioCurve, UsesEveryRowWhenTheTestSplitLacksALabelAndSkipsReidentificationForSingleImages) {
    test::TemporaryFolder folder("dpflow-curve-small");
    writeClassifier(folder.path(), "phantom128-consolidation-classifier", 128, "label");
    const auto plan = planStudioCurve(requestFor(folder.path(), writeStudy(folder.path(), 4, 1, "train")));
    EXPECT_EQ(plan.settings.split, "");
    EXPECT_FALSE(plan.settings.reidentification);
    EXPECT_NE(plan.description.find("every row"), std::string::npos);
}

TEST(StudioCurve, SaysWhatIsMissing) {
    test::TemporaryFolder folder("dpflow-curve-missing");
    const auto manifest = writeStudy(folder.path(), 4, 1, "test");
    EXPECT_THROW(planStudioCurve(requestFor(folder.path(), "")), std::invalid_argument);  // no study manifest
    try {
        planStudioCurve(requestFor(folder.path(), manifest));  // no classifier in the folder
        FAIL() << "expected std::invalid_argument";
    } catch (const std::invalid_argument& error) {
        EXPECT_NE(std::string(error.what()).find("no shipped downstream classifier"), std::string::npos);
    }
    writeClassifier(folder.path(), "phantom128-consolidation-classifier", 128, "label");
    EXPECT_THROW(planStudioCurve(requestFor(folder.path(), writeStudy(folder.path(), 1, 1, "test"))),
                 std::invalid_argument);  // one label only
}

}  // namespace
}  // namespace dpflow
