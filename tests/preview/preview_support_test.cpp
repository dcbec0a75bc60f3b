#include "preview/model_location.h"
#include "preview/preview_benchmark.h"
#include "preview/unit_noise_draw.h"

#include "privacy/random_source.h"
#include "privacy/randomized_response.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

namespace dpflow {
namespace {

TEST(ModelLocation, FindsTheDefaultStudioModelFromABuildTree) {
    const auto found = locateShippedModel(std::filesystem::path(DPFLOW_BINARY_DIR) / "app" / "dpflow", kDefaultStudioModel);
    EXPECT_TRUE(std::filesystem::equivalent(found, std::filesystem::path(DPFLOW_SOURCE_DIR) / "models" / kDefaultStudioModel));
}

TEST(ModelLocation, PrefersTheInstalledShareFolder) {
    const auto prefix = std::filesystem::temp_directory_path() / "dpflow_model_location_test";
    std::filesystem::create_directories(prefix / "share" / "dpflow-studio" / "models");
    std::ofstream(prefix / "share" / "dpflow-studio" / "models" / kDefaultStudioModel) << "weights";
    const auto found = locateShippedModel(prefix / "bin" / "dpflow", kDefaultStudioModel);
    EXPECT_EQ(found, prefix / "share" / "dpflow-studio" / "models" / kDefaultStudioModel);
    std::filesystem::remove_all(prefix);
}

TEST(ModelLocation, AMissingModelNamesEveryFolderSearched) {
    try {
        locateShippedModel("/opt/x/bin/dpflow", "missing.safetensors");
        FAIL() << "expected an error";
    } catch (const std::runtime_error& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("/opt/x/share/dpflow-studio/models"), std::string::npos) << message;
        EXPECT_NE(message.find("--model"), std::string::npos) << message;
    }
}

TEST(ModelLocation, ListsEveryShippedFlowModelWithItsCardAndNoClassifier) {
    const auto models = listShippedFlowModels({});
    std::vector<std::string> names;
    for (const auto& model : models) names.push_back(model.path.filename().string());
    EXPECT_NE(std::find(names.begin(), names.end(), kDefaultStudioModel), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "pneumoniamnist-glow32.safetensors"), names.end());
    for (const auto& name : names) EXPECT_EQ(name.find("classifier"), std::string::npos) << name;
    for (const auto& model : models) EXPECT_NE(model.summary.find("bits/dim train"), std::string::npos) << model.summary;
}

TEST(ModelLocation, APhantomStudyIsKnownByItsGroundTruthColumns) {
    EXPECT_TRUE(isPhantomStudyManifest({"file", "split", "pathology", "mask_file", "marker_side", "photons_per_mm2"}));
    EXPECT_FALSE(isPhantomStudyManifest({"file", "patient_id", "label", "pneumonia", "sex", "age", "view", "split"}));
    EXPECT_STREQ(studioModelFor(true), kDefaultStudioModel);
    EXPECT_STREQ(studioModelFor(false), kRealFilmStudioModel);
}

TEST(ModelLocation, TheShippedAttackersAreFoundByTheModelsFamily) {
    EXPECT_EQ(shippedEmbeddingFor("models/nih128-glow.safetensors"), std::filesystem::path("models/nih128-reid-embedding.safetensors"));
    EXPECT_EQ(shippedLinkageEmbeddingFor("/m/phantom128-glow.safetensors"),
              std::filesystem::path("/m/phantom128-linkage-embedding.safetensors"));
    EXPECT_EQ(shippedSweepFor("models/nih128-glow.safetensors"), std::filesystem::path("models/nih128-glow.sweep.csv"));
    const std::filesystem::path models = std::filesystem::path(DPFLOW_SOURCE_DIR) / "models";
    const ShippedAttackers shipped = shippedAttackersFor(models / "nih128-glow.safetensors");
    EXPECT_EQ(shipped.reidentification, models / "nih128-reid-embedding.safetensors");
    EXPECT_EQ(shipped.linkage, models / "nih128-linkage-embedding.safetensors");
    EXPECT_TRUE(shippedAttackersFor(models / "pneumoniamnist-glow32.safetensors").reidentification.empty());  // none shipped
}

TEST(UnitNoiseDraw, HasUnitLaplaceScale) {
    SystemRandomSource source;
    const UnitNoiseDraw draw(20000, 3, source);
    double mean_abs = 0.0;
    for (std::size_t j = 0; j < draw.elements(); ++j) mean_abs += std::abs(draw.laplace(j));
    EXPECT_NEAR(mean_abs / draw.elements(), 1.0, 0.03);  // E|Lap(1)| = 1
    for (std::size_t k = 0; k < draw.attributes(); ++k) {
        EXPECT_GE(draw.attributeUniform(k), 0.0);
        EXPECT_LT(draw.attributeUniform(k), 1.0);
    }
}

TEST(FixedAttributeDraw, RandomizedResponseKeepsTheTrueValueExactlyWhenTheUniformIsBelowTheKeepProbability) {
    SeededTestRandomSource source(11);
    const UnitNoiseDraw draw(1, 64, source);
    FixedAttributeDraw fixed(draw);
    for (std::size_t k = 0; k < draw.attributes(); ++k) {
        const double u = draw.attributeUniform(k);
        const double epsilon = 0.5;
        const int released = fixed.randomizedResponse(k, 1, 3, epsilon);
        EXPECT_EQ(released == 1, u < randomizedResponseKeepProbability(3, epsilon)) << "u = " << u;
        EXPECT_GE(released, 0);
        EXPECT_LT(released, 3);
    }
}

TEST(FixedAttributeDraw, ThePriorTakesTheValueTheUniformFallsIn) {
    SeededTestRandomSource source(12);
    const UnitNoiseDraw draw(1, 16, source);
    FixedAttributeDraw fixed(draw);
    for (std::size_t k = 0; k < draw.attributes(); ++k)
        EXPECT_EQ(fixed.uniformPrior(k, 4), static_cast<int>(draw.attributeUniform(k) * 4));
}

TEST(LatencySummary, GivesTheMedianAndNearestRankP90) {
    const LatencySummary s = summariseLatencies({10, 1, 9, 2, 8, 3, 7, 4, 6, 5});
    EXPECT_EQ(s.runs, 10);
    EXPECT_DOUBLE_EQ(s.median_ms, 5.5);
    EXPECT_DOUBLE_EQ(s.p90_ms, 9.0);
    EXPECT_THROW(summariseLatencies({}), std::invalid_argument);
}

}  // namespace
}  // namespace dpflow
