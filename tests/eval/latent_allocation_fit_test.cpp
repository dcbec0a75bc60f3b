#include "eval/latent_allocation_fit.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace dpflow {
namespace {

// Two levels: level 1 with two channels of 2 x 2, level 2 with one channel of 1 x 1 (9 coordinates).
LatentLayout smallLayout() {
    LatentLayout layout;
    layout.levels = {{2, 2, 2, 0}, {1, 1, 1, 8}};
    layout.total = 9;
    return layout;
}

// 40 patients with two images each: channel 0 of level 1 follows the finding, channel 1 the
// patient, the top coordinate neither.
PublicLatents syntheticLatents() {
    std::mt19937 random(3);
    std::normal_distribution<double> noise(0.0, 1.0);
    PublicLatents data;
    for (int patient = 0; patient < 40; ++patient) {
        const double anatomy = noise(random);
        for (int image = 0; image < 2; ++image) {
            const int label = (patient + image) % 2;
            std::vector<float> u(9);
            for (int j = 0; j < 4; ++j) u[j] = static_cast<float>(2.0 * label + 0.5 * noise(random));
            for (int j = 4; j < 8; ++j) u[j] = static_cast<float>(anatomy + 0.1 * noise(random));
            u[8] = static_cast<float>(noise(random));
            data.latents.push_back(u);
            data.labels.push_back(label);
            data.patients.push_back("P" + std::to_string(patient));
        }
    }
    return data;
}

LatentBox unitBox(std::size_t dimension) { return {std::vector<float>(dimension, -1.0f), std::vector<float>(dimension, 1.0f)}; }

TEST(LatentAllocationFit, FindsWhereTheFindingAndWhereThePatientLive) {
    const std::vector<GroupStatistics> groups = groupStatistics(syntheticLatents(), smallLayout());
    ASSERT_EQ(groups.size(), 3u);
    EXPECT_EQ(groups[0].name, "level 1 channel 0");
    EXPECT_EQ(groups[0].begin, 0u);
    EXPECT_EQ(groups[1].begin, 4u);
    EXPECT_EQ(groups[2].name, "level 2 channel 0");
    EXPECT_GT(groups[0].finding, 10.0 * groups[1].finding);
    EXPECT_GT(groups[0].finding, 10.0 * groups[2].finding);
    EXPECT_GT(groups[1].identity, 0.9);
    EXPECT_LT(groups[0].identity, 0.3);
    EXPECT_LT(groups[2].identity, 0.3);
}

TEST(LatentAllocationFit, WeightedSharesFollowTheLagrangeSolutionAndStarveIdentity) {
    std::vector<GroupStatistics> groups = groupStatistics(syntheticLatents(), smallLayout());
    AllocationScheme scheme;
    scheme.exclude_below = 0.0;
    const LatentAllocation allocation = allocateBudget(groups, unitBox(9), scheme);
    ASSERT_EQ(allocation.groups.size(), 3u);
    // eps_g proportional to Delta_g^(2/3) (w_g n_g)^(1/3), w_g = P_g / max(I_g, 0.01).
    std::vector<double> expected;
    double total = 0.0;
    for (const auto& g : groups) {
        const double n = static_cast<double>(g.end - g.begin), delta = 2.0 * n;
        expected.push_back(std::pow(delta, 2.0 / 3.0) * std::cbrt(g.finding / std::max(g.identity, 0.01) * n));
        total += expected.back();
    }
    for (std::size_t g = 0; g < 3; ++g) EXPECT_NEAR(allocation.groups[g].budget_share, expected[g] / total, 1e-6);
    EXPECT_GT(allocation.groups[0].budget_share, allocation.groups[1].budget_share);

    scheme.exclude_below = 0.05;  // the identity channel's weight is far below 5% of the finding channel's
    const LatentAllocation excluding = allocateBudget(groups, unitBox(9), scheme);
    EXPECT_TRUE(excluding.groups[1].drawnFromPrior());
    EXPECT_FALSE(excluding.groups[0].drawnFromPrior());
}

TEST(LatentAllocationFit, CoarseSchemeGivesOneScaleToTheCoarsestLevelsAndThePriorToTheRest) {
    const std::vector<GroupStatistics> groups = groupStatistics(syntheticLatents(), smallLayout());
    AllocationScheme scheme;
    scheme.name = "coarse";
    scheme.coarse_levels = 1;
    const LatentAllocation allocation = allocateBudget(groups, unitBox(9), scheme);
    EXPECT_TRUE(allocation.groups[0].drawnFromPrior());
    EXPECT_TRUE(allocation.groups[1].drawnFromPrior());
    EXPECT_DOUBLE_EQ(allocation.groups[2].budget_share, 1.0);
    scheme.coarse_levels = 2;
    const LatentAllocation both = allocateBudget(groups, unitBox(9), scheme);
    EXPECT_NEAR(both.groups[0].budget_share, 4.0 / 9.0, 1e-12);  // eps_g proportional to Delta_g: one b for all
    EXPECT_NEAR(both.groups[2].budget_share, 1.0 / 9.0, 1e-12);
}

TEST(LatentAllocationFit, RefusesDataThatCannotWeighTheGroups) {
    PublicLatents one_class = syntheticLatents();
    for (int& label : one_class.labels) label = 0;
    EXPECT_THROW(groupStatistics(one_class, smallLayout()), std::invalid_argument);
    PublicLatents single_images = syntheticLatents();
    for (std::size_t i = 0; i < single_images.patients.size(); ++i) single_images.patients[i] = "P" + std::to_string(i);
    EXPECT_THROW(groupStatistics(single_images, smallLayout()), std::invalid_argument);
    AllocationScheme unknown;
    unknown.name = "magic";
    EXPECT_THROW(allocateBudget(groupStatistics(syntheticLatents(), smallLayout()), unitBox(9), unknown), std::invalid_argument);
}

TEST(LatentAllocationFit, RefusesTheTestSplit) {
    AllocationFitSettings settings;
    settings.splits = {"train", "test"};
    settings.label_column = "label";
    try {
        fitLatentAllocation(settings);
        FAIL() << "the test split was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("private films"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace dpflow
