#include "flow/latent_sampling.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <stdexcept>

namespace dpflow {
namespace {

double standardDeviation(const std::vector<float>& values) {
    const double mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
    double sum = 0.0;
    for (const float v : values) sum += (v - mean) * (v - mean);
    return std::sqrt(sum / static_cast<double>(values.size() - 1));
}

TEST(LatentSampling, SameSeedGivesTheSameLatentAndAnotherSeedDoesNot) {
    EXPECT_EQ(sampleStandardLatent(64, 0.7, 3), sampleStandardLatent(64, 0.7, 3));
    EXPECT_NE(sampleStandardLatent(64, 0.7, 3), sampleStandardLatent(64, 0.7, 4));
}

TEST(LatentSampling, SpreadIsTheTemperature) {
    // 40000 normal draws: the sample standard deviation is within 1.5% of T with overwhelming probability.
    EXPECT_NEAR(standardDeviation(sampleStandardLatent(40000, 0.7, 1)), 0.7, 0.7 * 0.015);
    EXPECT_NEAR(standardDeviation(sampleStandardLatent(40000, 1.0, 2)), 1.0, 0.015);
}

TEST(LatentSampling, ZeroTemperatureGivesThePriorMode) {
    for (const float v : sampleStandardLatent(16, 0.0, 5)) EXPECT_EQ(v, 0.0f);
}

TEST(LatentSampling, RejectsNegativeOrNonFiniteTemperature) {
    EXPECT_THROW(sampleStandardLatent(4, -0.1, 1), std::invalid_argument);
    EXPECT_THROW(sampleStandardLatent(4, std::nan(""), 1), std::invalid_argument);
    EXPECT_THROW(sampleStandardLatent(-1, 1.0, 1), std::invalid_argument);
}

}  // namespace
}  // namespace dpflow
