#include "privacy/laplace_noise_plan.h"

#include <gtest/gtest.h>

#include <cmath>

namespace dpflow {
namespace {

TEST(PowerOfTwoAtLeast, IsExactOnPowersAndRoundsUpBetweenThem) {
    EXPECT_EQ(powerOfTwoAtLeast(1.0), 1.0);
    EXPECT_EQ(powerOfTwoAtLeast(0.75), 1.0);
    EXPECT_EQ(powerOfTwoAtLeast(std::ldexp(1.0, -40)), std::ldexp(1.0, -40));
    EXPECT_EQ(powerOfTwoAtLeast(std::nextafter(std::ldexp(1.0, -40), 1.0)), std::ldexp(1.0, -39));
    EXPECT_EQ(powerOfTwoAtLeast(3.0), 4.0);
}

TEST(LaplaceNoisePlan, GranularityIsThePowerOfTwoAboveTheScaleOverTwoToTheForty) {
    // Delta = 2^20, eps = 1: b / 2^40 = 2^-20 exactly.
    const LaplaceNoisePlan plan = planLaplaceNoise(std::ldexp(1.0, 20), 16384, 1.0);
    EXPECT_EQ(plan.granularity, std::ldexp(1.0, -20));
    // Delta_r = 2^20 + 16384 * 2^-20 = 2^20 + 2^-6.
    EXPECT_NEAR(plan.accounted_sensitivity, std::ldexp(1.0, 20) + std::ldexp(1.0, -6), 1e-9);
    EXPECT_GE(plan.accounted_sensitivity, std::ldexp(1.0, 20) + std::ldexp(1.0, -6));
}

TEST(LaplaceNoisePlan, ScaleIsTheAccountedSensitivityOverEpsilonRoundedUp) {
    const LaplaceNoisePlan plan = planLaplaceNoise(1.3e5, 16384, 1e5);
    const long double exact = (1.3e5L + 16384.0L * plan.granularity) / 1e5L;
    EXPECT_GE(static_cast<long double>(plan.scale), exact);
    EXPECT_NEAR(plan.scale, 1.3, 1e-9);
    EXPECT_EQ(plan.dimension, 16384u);
    EXPECT_EQ(plan.epsilon, 1e5);
}

TEST(LaplaceNoisePlan, KeepsTheScaleBetween2To39And2To40GridSteps) {
    for (double delta : {1e-3, 1.0, 1.3e5, 7e9}) {
        for (double eps : {1e-2, 1.0, 1e5, 1e8}) {
            const LaplaceNoisePlan plan = planLaplaceNoise(delta, 784, eps);
            const double steps = plan.scale / plan.granularity;
            EXPECT_GT(steps, std::ldexp(1.0, 39)) << delta << " " << eps;
            EXPECT_LE(steps, std::ldexp(1.0, 40) * (1 + 1e-6)) << delta << " " << eps;
        }
    }
}

TEST(LaplaceNoisePlan, RefusesMeaninglessInputs) {
    EXPECT_THROW(planLaplaceNoise(0.0, 10, 1.0), std::invalid_argument);
    EXPECT_THROW(planLaplaceNoise(1.0, 10, 0.0), std::invalid_argument);
    EXPECT_THROW(planLaplaceNoise(1.0, 10, -1.0), std::invalid_argument);
    EXPECT_THROW(planLaplaceNoise(1.0, 0, 1.0), std::invalid_argument);
    EXPECT_THROW(planLaplaceNoise(NAN, 10, 1.0), std::invalid_argument);
    EXPECT_THROW(planLaplaceNoise(1.0, 10, INFINITY), std::invalid_argument);
}

}  // namespace
}  // namespace dpflow
