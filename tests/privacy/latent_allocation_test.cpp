#include "privacy/allocated_noise_plan.h"
#include "privacy/latent_allocation.h"
#include "privacy/latent_mechanisms.h"

#include "image/sha256.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <fstream>

namespace dpflow {
namespace {

// 12 coordinates in three groups of four: a box of width 2 on the first, 4 on the second, 6 on the third.
LatentBox threeGroupBox() {
    LatentBox box;
    for (float half : {1.0f, 2.0f, 3.0f})
        for (int j = 0; j < 4; ++j) {
            box.lo.push_back(-half);
            box.hi.push_back(half);
        }
    return box;
}

LatentAllocation threeGroups(double first, double second, double third) {
    LatentAllocation allocation;
    allocation.scheme = "weighted";
    allocation.objective = "test";
    allocation.model_sha256 = "model-hash";
    allocation.public_data = "test data";
    allocation.public_image_sha256 = {"aaaa", "bbbb"};
    allocation.groups = {{"fine", 0, 4, first, 0.1, 0.2}, {"middle", 4, 8, second, 0.3, 0.4}, {"coarse", 8, 12, third, 0.5, 0.6}};
    return allocation;
}

TEST(AllocatedNoisePlan, EachGroupIsABoxMechanismOfItsOwnAndTheGroupEpsilonsSumToEpsilon) {
    const AllocatedNoisePlan plan = planAllocatedNoise(threeGroupBox(), threeGroups(0.5, 0.3, 0.2), 1000.0);
    ASSERT_EQ(plan.groups.size(), 3u);
    const double deltas[3] = {8.0, 16.0, 24.0};  // sum over the group of hi - lo
    const double shares[3] = {0.5, 0.3, 0.2};
    for (int g = 0; g < 3; ++g) {
        ASSERT_TRUE(plan.groups[g].plan);
        const LaplaceNoisePlan& p = *plan.groups[g].plan;
        EXPECT_EQ(p.dimension, 4u);
        EXPECT_NEAR(p.l1_sensitivity, deltas[g], 1e-12);
        EXPECT_NEAR(p.epsilon, shares[g] * 1000.0, 1e-9);
        // b_g = (Delta_g + n_g r_g) / eps_g, never rounded down: the group spends at most eps_g.
        EXPECT_GE(p.scale * p.epsilon, p.l1_sensitivity + 4 * p.granularity);
        EXPECT_EQ(p.accounted_sensitivity / p.scale <= p.epsilon, true);
    }
    EXPECT_EQ(plan.epsilonSum(), 1000.0);
    EXPECT_EQ(plan.summary.dimension, 12u);
    EXPECT_NEAR(plan.summary.l1_sensitivity, 48.0, 1e-12);
    EXPECT_EQ(plan.summary.epsilon, 1000.0);
}

TEST(AllocatedNoisePlan, GroupsWithoutBudgetAreDrawnFromThePriorAndAddNothingToDeltaOrD) {
    const AllocatedNoisePlan plan = planAllocatedNoise(threeGroupBox(), threeGroups(0.0, 0.0, 1.0), 10.0);
    EXPECT_FALSE(plan.groups[0].plan);
    EXPECT_FALSE(plan.groups[1].plan);
    ASSERT_TRUE(plan.groups[2].plan);
    EXPECT_EQ(plan.groups[2].plan->epsilon, 10.0);
    EXPECT_EQ(plan.summary.dimension, 4u);
    EXPECT_NEAR(plan.summary.l1_sensitivity, 24.0, 1e-12);
    EXPECT_NEAR(plan.summary.accounted_sensitivity, plan.groups[2].plan->accounted_sensitivity, 0.0);
}

TEST(AllocatedMechanism, PriorGroupsNeverLookAtTheImage) {
    const LatentBox box = threeGroupBox();
    const AllocatedNoisePlan plan = planAllocatedNoise(box, threeGroups(0.0, 0.5, 0.5), 1e9);
    std::vector<float> one(12, 0.5f), other(12, -0.5f);
    SeededTestRandomSource first(5), second(5);
    const LatentRelease a = privatizeLatentAllocated(one, box, plan, first);
    const LatentRelease b = privatizeLatentAllocated(other, box, plan, second);
    for (int j = 0; j < 4; ++j) EXPECT_EQ(a.latent[j], b.latent[j]) << "prior coordinate " << j;
    for (int j = 4; j < 12; ++j) {
        // Budgeted coordinates follow their image (eps 1e9 leaves almost no noise).
        EXPECT_NEAR(a.latent[j], 0.5f, 1e-3);
        EXPECT_NEAR(b.latent[j], -0.5f, 1e-3);
    }
    EXPECT_EQ(a.groups.size(), 3u);
}

TEST(AllocatedMechanism, ClipsOnlyTheBudgetedCoordinatesAndCountsThem) {
    const LatentBox box = threeGroupBox();
    const AllocatedNoisePlan plan = planAllocatedNoise(box, threeGroups(0.0, 1.0, 0.0), 1e9);
    std::vector<float> latent(12, 0.0f);
    latent[4] = 9.0f;   // outside the middle group's box of +-2
    latent[0] = 9.0f;   // a prior coordinate: not the mechanism's business
    SeededTestRandomSource source(1);
    const LatentRelease release = privatizeLatentAllocated(latent, box, plan, source);
    EXPECT_DOUBLE_EQ(release.input_clipped_fraction, 0.25);  // 1 of the 4 budgeted coordinates
    EXPECT_NEAR(release.latent[4], 2.0f, 1e-3);
}

TEST(AllocatedMechanism, ShrinkDecodesEachGroupWithItsOwnFactorAndPriorGroupsAtTheMean) {
    const LatentBox box = threeGroupBox();
    const AllocatedNoisePlan plan = planAllocatedNoise(box, threeGroups(0.0, 0.9, 0.1), 100.0);
    LatentRelease release;
    release.plan = plan.summary;
    release.groups = plan.groups;
    release.latent.assign(12, 1.0f);
    const std::vector<float> shrunk = decodableLatent(release, LatentDecoding::Shrink);
    for (int j = 0; j < 4; ++j) EXPECT_EQ(shrunk[j], 0.0f);
    EXPECT_FLOAT_EQ(shrunk[4], static_cast<float>(latentShrinkFactor(plan.groups[1].plan->scale)));
    EXPECT_FLOAT_EQ(shrunk[8], static_cast<float>(latentShrinkFactor(plan.groups[2].plan->scale)));
    EXPECT_GT(shrunk[4], shrunk[8]);  // more budget, less noise, less shrinking
    EXPECT_EQ(decodableLatent(release, LatentDecoding::Direct), release.latent);
}

TEST(LatentAllocationFile, RoundTripsAndRecordsTheHashOfItsBytes) {
    const auto path = std::filesystem::temp_directory_path() / ("dpflow_allocation_" + std::to_string(::getpid()) + ".json");
    writeLatentAllocation(path, threeGroups(0.25, 0.25, 0.5));
    const LatentAllocation read = readLatentAllocation(path);
    EXPECT_EQ(read.file_sha256, sha256OfFile(path));
    EXPECT_EQ(read.file_name, path.filename().string());
    ASSERT_EQ(read.groups.size(), 3u);
    EXPECT_EQ(read.groups[1].name, "middle");
    EXPECT_EQ(read.groups[2].budget_share, 0.5);
    EXPECT_EQ(read.model_sha256, "model-hash");
    EXPECT_TRUE(read.computedFromImage("bbbb"));
    EXPECT_FALSE(read.computedFromImage("cccc"));
    std::filesystem::remove(path);
}

TEST(LatentAllocationFile, RefusesGroupsThatDoNotTileTheLatentOrSharesThatDoNotSumToOne) {
    LatentAllocation gap = threeGroups(0.2, 0.3, 0.5);
    gap.groups[1].begin = 5;
    EXPECT_THROW(validateLatentAllocation(gap, 12, ""), std::invalid_argument);
    EXPECT_THROW(validateLatentAllocation(threeGroups(0.2, 0.3, 0.4), 12, ""), std::invalid_argument);
    EXPECT_THROW(validateLatentAllocation(threeGroups(0.2, 0.3, 0.5), 16, ""), std::invalid_argument);
    EXPECT_THROW(validateLatentAllocation(threeGroups(-0.1, 0.6, 0.5), 12, ""), std::invalid_argument);
    EXPECT_NO_THROW(validateLatentAllocation(threeGroups(0.2, 0.3, 0.5), 12, "model-hash"));
    try {
        validateLatentAllocation(threeGroups(0.2, 0.3, 0.5), 12, "another-model");
        FAIL() << "an allocation of another model was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("dpflow allocate"), std::string::npos) << e.what();
    }
    const auto path = std::filesystem::temp_directory_path() / ("dpflow_allocation_bad_" + std::to_string(::getpid()) + ".json");
    std::ofstream(path) << R"({"format": "dpflow-latent-allocation", "format_version": 1})";
    EXPECT_THROW(readLatentAllocation(path), std::runtime_error);
    std::filesystem::remove(path);
}

TEST(LatentAllocationFile, LiesBesideTheModelByDefault) {
    EXPECT_EQ(allocationPathBeside("models/nih128-glow.safetensors"), std::filesystem::path("models/nih128-glow.allocation.json"));
}

}  // namespace
}  // namespace dpflow
