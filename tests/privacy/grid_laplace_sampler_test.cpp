#include "privacy/grid_laplace_sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace dpflow {
namespace {

// Every check below has a false-alarm rate of about 1e-6 for a correct sampler (two-sided
// z = 4.89 for the moment checks, the 1e-6 Kolmogorov and chi-square quantiles otherwise).
// N = 200,000 gives them the power to reject a Gaussian of equal variance and a Laplace whose
// scale is 6% off, which the "wrong sampler" tests demonstrate with the very same checks.
constexpr int kSamples = 200000;
constexpr double kZ = 4.89;
constexpr double kKolmogorovCritical = 2.694;  // P(sqrt(n) D > 2.694) = 1e-6, asymptotically
constexpr int kChiSquareBins = 50;
constexpr double kChiSquareCritical49 = 107.3;  // upper 1e-6 quantile of chi-square(49)

double laplaceCdf(double x, double b) { return x < 0 ? 0.5 * std::exp(x / b) : 1.0 - 0.5 * std::exp(-x / b); }

double laplaceQuantile(double p, double b) { return p < 0.5 ? b * std::log(2 * p) : -b * std::log(2 * (1 - p)); }

// Returns the names of the checks that reject "samples ~ Laplace(0, b)".
std::vector<std::string> laplaceFitFailures(std::vector<double> samples, double b) {
    std::vector<std::string> failures;
    const double n = static_cast<double>(samples.size());
    std::sort(samples.begin(), samples.end());

    double ks = 0;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const double f = laplaceCdf(samples[i], b);
        ks = std::max({ks, std::abs(f - i / n), std::abs((i + 1) / n - f)});
    }
    if (std::sqrt(n) * ks > kKolmogorovCritical) failures.push_back("kolmogorov-smirnov");

    double chi2 = 0;
    const double expected = n / kChiSquareBins;
    for (int bin = 0; bin < kChiSquareBins; ++bin) {
        const double lo = bin == 0 ? -INFINITY : laplaceQuantile(double(bin) / kChiSquareBins, b);
        const double hi = bin == kChiSquareBins - 1 ? INFINITY : laplaceQuantile(double(bin + 1) / kChiSquareBins, b);
        const double count = std::lower_bound(samples.begin(), samples.end(), hi) -
                             std::lower_bound(samples.begin(), samples.end(), lo);
        chi2 += (count - expected) * (count - expected) / expected;
    }
    if (chi2 > kChiSquareCritical49) failures.push_back("chi-square");

    double m1 = 0, m2 = 0, m4 = 0, positive = 0, negative = 0;
    for (double x : samples) {
        const double y = x / b;
        m1 += y;
        m2 += y * y;
        m4 += y * y * y * y;
        positive += x > 0;
        negative += x < 0;
    }
    m1 /= n;
    m2 /= n;
    m4 /= n;
    // Laplace(0,1): mean 0 (sd sqrt(2/n)), E y^2 = 2 (sd sqrt(20/n)), E y^4 = 24 (sd sqrt((8! - 24^2)/n)).
    if (std::abs(m1) > kZ * std::sqrt(2.0 / n)) failures.push_back("mean");
    if (std::abs(m2 - 2.0) > kZ * std::sqrt(20.0 / n)) failures.push_back("variance");
    if (std::abs(m4 - 24.0) > kZ * std::sqrt((40320.0 - 576.0) / n)) failures.push_back("fourth moment (kurtosis)");
    if (std::abs(positive - negative) > kZ * std::sqrt(positive + negative)) failures.push_back("symmetry");
    return failures;
}

std::vector<double> drawNoise(GridLaplaceSampler& sampler) {
    std::vector<double> samples(kSamples);
    for (double& x : samples) x = sampler.sampleNoise();
    return samples;
}

class GridLaplaceAtScale : public ::testing::TestWithParam<double> {};

TEST_P(GridLaplaceAtScale, PassesEveryDistributionCheck) {
    SystemRandomSource source;
    const LaplaceNoisePlan plan = planLaplaceNoise(GetParam(), 1, 1.0);
    GridLaplaceSampler sampler(source, plan);
    const auto failures = laplaceFitFailures(drawNoise(sampler), plan.scale);
    EXPECT_TRUE(failures.empty()) << "failed: " << ::testing::PrintToString(failures);
}

TEST_P(GridLaplaceAtScale, EveryOutputIsAMultipleOfTheGranularity) {
    SystemRandomSource source;
    const LaplaceNoisePlan plan = planLaplaceNoise(GetParam(), 1, 1.0);
    GridLaplaceSampler sampler(source, plan);
    for (int i = 0; i < 10000; ++i) {
        const double steps = sampler.sampleNoise() / plan.granularity;
        ASSERT_EQ(steps, std::round(steps));
    }
}

INSTANTIATE_TEST_SUITE_P(FromTinyToHuge, GridLaplaceAtScale, ::testing::Values(1e-6, 1.0, 1.3, 130.0, 1e10));

TEST(GridLaplaceChecks, RejectAGaussianOfTheSameVariance) {
    std::mt19937_64 engine(11);  // a deliberately wrong sampler, in a test only
    const double b = 1.3;
    std::normal_distribution<double> gaussian(0.0, std::sqrt(2.0) * b);
    std::vector<double> samples(kSamples);
    for (double& x : samples) x = gaussian(engine);
    const auto failures = laplaceFitFailures(samples, b);
    EXPECT_NE(std::find(failures.begin(), failures.end(), "kolmogorov-smirnov"), failures.end());
    EXPECT_NE(std::find(failures.begin(), failures.end(), "fourth moment (kurtosis)"), failures.end());
}

TEST(GridLaplaceChecks, RejectALaplaceWhoseScaleIsSixPercentOff) {
    SeededTestRandomSource source(3);
    LaplaceNoisePlan wrong = planLaplaceNoise(1.3, 1, 1.0);
    const double claimed_scale = wrong.scale;
    wrong.scale *= 1.06;
    GridLaplaceSampler sampler(source, wrong);
    const auto failures = laplaceFitFailures(drawNoise(sampler), claimed_scale);
    EXPECT_NE(std::find(failures.begin(), failures.end(), "kolmogorov-smirnov"), failures.end());
    EXPECT_NE(std::find(failures.begin(), failures.end(), "variance"), failures.end());
}

TEST(GridLaplaceSampler, RoundsValuesToTheGridBeforeAddingNoise) {
    SeededTestRandomSource source(5);
    const LaplaceNoisePlan plan = planLaplaceNoise(std::ldexp(1.0, 40), 1, 1.0);  // granularity 1
    ASSERT_EQ(plan.granularity, 1.0);
    GridLaplaceSampler sampler(source, plan);
    EXPECT_EQ(sampler.roundToGrid(2.4), 2.0);
    EXPECT_EQ(sampler.roundToGrid(2.5), 3.0);
    EXPECT_EQ(sampler.roundToGrid(-2.5), -3.0);
    const double privatized = sampler.privatize(0.3);
    EXPECT_EQ(privatized, std::round(privatized));
}

}  // namespace
}  // namespace dpflow
