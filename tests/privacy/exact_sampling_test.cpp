#include "privacy/exact_sampling.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace dpflow {
namespace {

// False-alarm rate of every statistical check in this file: 1e-6 (two-sided z = 4.89, or the
// chi-square quantile below), so the suite fails by chance about once in a million runs.
constexpr double kZ = 4.89;

// Upper 1e-6 quantile of chi-square with k degrees of freedom (Wilson-Hilferty).
double chiSquareCritical(int k) {
    const double z = 4.753;
    const double a = 2.0 / (9.0 * k);
    return k * std::pow(1.0 - a + z * std::sqrt(a), 3);
}

TEST(UniformBelow, StaysInRangeAndHitsEveryValue) {
    SystemRandomSource source;
    std::map<int, int> counts;
    const int n = 7, draws = 70000;
    for (int i = 0; i < draws; ++i) {
        const auto v = static_cast<int>(uniformBelow(source, n));
        ASSERT_LT(v, n);
        ++counts[v];
    }
    double chi2 = 0;
    for (int v = 0; v < n; ++v) chi2 += std::pow(counts[v] - draws / n, 2) / (draws / n);
    EXPECT_LT(chi2, chiSquareCritical(n - 1));
}

TEST(UniformBelow, OneAlwaysGivesZeroAndZeroIsRejected) {
    SystemRandomSource source;
    EXPECT_EQ(static_cast<int>(uniformBelow(source, 1)), 0);
    EXPECT_THROW(uniformBelow(source, 0), std::invalid_argument);
}

TEST(BernoulliExpMinus, MatchesExpAtSeveralRationalArguments) {
    SystemRandomSource source;
    const int draws = 100000;
    for (auto [num, den] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{{0, 1}, {1, 3}, {1, 1}, {5, 2}}) {
        int ones = 0;
        for (int i = 0; i < draws; ++i) ones += bernoulliExpMinus(source, num, den);
        const double p = std::exp(-static_cast<double>(num) / den);
        const double sd = std::sqrt(draws * p * (1 - p)) + 1e-9;
        EXPECT_LE(std::abs(ones - draws * p), kZ * sd + 0.5) << num << "/" << den;
    }
}

// The exact probability mass of the discrete Laplace distribution with scale t at k.
double discreteLaplacePmf(double t, long k) {
    const double q = std::exp(-1.0 / t);
    return (1 - q) / (1 + q) * std::pow(q, std::abs(k));
}

// Chi-square of discrete Laplace draws against the exact pmf: a coarse grid (scale of a few
// steps) is where a sampler that only approximates the distribution shows it.
double chiSquareAgainstDiscreteLaplace(const std::vector<long>& draws, double t, int& degrees) {
    std::map<long, int> counts;
    for (long k : draws) ++counts[k];
    // Bins |k| <= K each hold an expected count >= 20; the two tails are pooled.
    long limit = 0;
    while (draws.size() * discreteLaplacePmf(t, limit + 1) >= 20) ++limit;
    double chi2 = 0, tail_expected = 1.0;
    int tail_count = static_cast<int>(draws.size());
    for (long k = -limit; k <= limit; ++k) {
        const double expected = draws.size() * discreteLaplacePmf(t, k);
        chi2 += std::pow(counts[k] - expected, 2) / expected;
        tail_expected -= discreteLaplacePmf(t, k);
        tail_count -= counts[k];
    }
    tail_expected *= draws.size();
    chi2 += std::pow(tail_count - tail_expected, 2) / tail_expected;
    degrees = static_cast<int>(2 * limit + 1);
    return chi2;
}

TEST(DiscreteLaplace, FollowsTheExactPmfOnCoarseGrids) {
    SystemRandomSource source;
    for (double t : {0.5, 2.0, 3.3}) {
        std::vector<long> draws(200000);
        for (long& k : draws) k = sampleDiscreteLaplace(source, t);
        int degrees = 0;
        const double chi2 = chiSquareAgainstDiscreteLaplace(draws, t, degrees);
        EXPECT_LT(chi2, chiSquareCritical(degrees)) << "scale " << t;
    }
}

TEST(DiscreteLaplace, TheSameChiSquareRejectsAScaleSixPercentOff) {
    // Proof of power: draws of scale 3.3 * 1.06 judged against scale 3.3.
    SeededTestRandomSource source(7);
    std::vector<long> draws(200000);
    for (long& k : draws) k = sampleDiscreteLaplace(source, 3.3 * 1.06);
    int degrees = 0;
    const double chi2 = chiSquareAgainstDiscreteLaplace(draws, 3.3, degrees);
    EXPECT_GT(chi2, chiSquareCritical(degrees));
}

TEST(DiscreteLaplace, RejectsScalesItCannotRepresent) {
    SystemRandomSource source;
    EXPECT_THROW(sampleDiscreteLaplace(source, 0.0), std::invalid_argument);
    EXPECT_THROW(sampleDiscreteLaplace(source, -1.0), std::invalid_argument);
    EXPECT_THROW(sampleDiscreteLaplace(source, INFINITY), std::invalid_argument);
    EXPECT_THROW(sampleDiscreteLaplace(source, NAN), std::invalid_argument);
    EXPECT_THROW(sampleDiscreteLaplace(source, std::ldexp(1.0, 62)), std::invalid_argument);
}

}  // namespace
}  // namespace dpflow
