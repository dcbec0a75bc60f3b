#include "privacy/randomized_response.h"

#include <gtest/gtest.h>

#include <cmath>

namespace dpflow {
namespace {

// Frequencies are checked within z = 4.89 binomial standard deviations (false alarm ~1e-6).
void expectRate(int count, int draws, double p, const std::string& what) {
    const double sd = std::sqrt(draws * p * (1 - p));
    EXPECT_LE(std::abs(count - draws * p), 4.89 * sd + 1) << what << ": " << count << " of " << draws << ", expected p = " << p;
}

TEST(RandomizedResponse, KeepsTheTrueValueAtTheAdvertisedRate) {
    SystemRandomSource source;
    for (double eps : {0.5, 1.0, 3.0}) {
        const int draws = 60000;
        int kept = 0;
        for (int i = 0; i < draws; ++i) kept += randomizedResponse(1, 3, eps, source) == 1;
        expectRate(kept, draws, std::exp(eps) / (std::exp(eps) + 2), "eps " + std::to_string(eps));
    }
}

TEST(RandomizedResponse, SpreadsTheOtherValuesUniformly) {
    SystemRandomSource source;
    const int draws = 60000;
    int counts[4] = {};
    for (int i = 0; i < draws; ++i) ++counts[randomizedResponse(0, 4, 1.0, source)];
    const double other = 1.0 / (std::exp(1.0) + 3);
    for (int v = 1; v < 4; ++v) expectRate(counts[v], draws, other, "value " + std::to_string(v));
}

TEST(RandomizedResponse, AtZeroEpsilonIsUniform) {
    SystemRandomSource source;
    const int draws = 40000;
    int kept = 0;
    for (int i = 0; i < draws; ++i) kept += randomizedResponse(0, 2, 0.0, source) == 0;
    expectRate(kept, draws, 0.5, "eps 0");
}

TEST(RandomizedResponse, KeepProbabilityMatchesTheFormula) {
    EXPECT_NEAR(randomizedResponseKeepProbability(2, std::log(3.0)), 0.75, 1e-12);
    EXPECT_NEAR(randomizedResponseKeepProbability(5, 0.0), 0.2, 1e-12);
}

TEST(RandomizedResponse, RefusesInvalidSettings) {
    SystemRandomSource source;
    EXPECT_THROW(randomizedResponse(0, 1, 1.0, source), std::invalid_argument);
    EXPECT_THROW(randomizedResponse(3, 3, 1.0, source), std::invalid_argument);
    EXPECT_THROW(randomizedResponse(0, 3, -1.0, source), std::invalid_argument);
    EXPECT_THROW(randomizedResponse(0, 3, NAN, source), std::invalid_argument);
}

TEST(DrawFromPrior, FollowsThePriorWeights) {
    SystemRandomSource source;
    const int draws = 50000;
    int counts[3] = {};
    for (int i = 0; i < draws; ++i) ++counts[drawFromPrior({0.7, 0.0, 0.3}, source)];
    expectRate(counts[0], draws, 0.7, "first");
    EXPECT_EQ(counts[1], 0);
}

TEST(DrawFromPrior, RefusesAPriorWithoutMass) {
    SystemRandomSource source;
    EXPECT_THROW(drawFromPrior({}, source), std::invalid_argument);
    EXPECT_THROW(drawFromPrior({0.0, 0.0}, source), std::invalid_argument);
    EXPECT_THROW(drawFromPrior({-1.0, 2.0}, source), std::invalid_argument);
}

}  // namespace
}  // namespace dpflow
