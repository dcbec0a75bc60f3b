#include "eval/binomial_interval.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace dpflow {
namespace {

TEST(ClopperPearsonInterval, MatchesTabulatedValues) {
    // Clopper and Pearson (1934); the values any statistics package prints for 5 of 10 and 1 of 10.
    const ProportionInterval half = clopperPearsonInterval(5, 10);
    EXPECT_NEAR(half.low, 0.187086, 1e-5);
    EXPECT_NEAR(half.high, 0.812914, 1e-5);
    const ProportionInterval one = clopperPearsonInterval(1, 10);
    EXPECT_NEAR(one.low, 0.002529, 1e-5);
    EXPECT_NEAR(one.high, 0.445016, 1e-5);
}

TEST(ClopperPearsonInterval, NoSuccessHasTheClosedFormUpperEnd) {
    // P(X = 0) = (1 - p)^n = 0.025: with 76 probes and no hit the rate can still be 4.7%.
    const ProportionInterval none = clopperPearsonInterval(0, 76);
    EXPECT_EQ(none.low, 0.0);
    EXPECT_NEAR(none.high, 1.0 - std::pow(0.025, 1.0 / 76.0), 1e-9);
    const ProportionInterval all = clopperPearsonInterval(76, 76);
    EXPECT_EQ(all.high, 1.0);
    EXPECT_NEAR(all.low, std::pow(0.025, 1.0 / 76.0), 1e-9);
}

TEST(ClopperPearsonInterval, WidensWithConfidenceAndNarrowsWithTrials) {
    const ProportionInterval ninety = clopperPearsonInterval(20, 100, 0.90);
    const ProportionInterval ninety_five = clopperPearsonInterval(20, 100, 0.95);
    EXPECT_LT(ninety_five.low, ninety.low);
    EXPECT_GT(ninety_five.high, ninety.high);
    const ProportionInterval more = clopperPearsonInterval(200, 1000);
    EXPECT_GT(more.low, ninety_five.low);
    EXPECT_LT(more.high, ninety_five.high);
    EXPECT_LT(more.low, 0.2);
    EXPECT_GT(more.high, 0.2);
}

TEST(ClopperPearsonInterval, RefusesImpossibleCounts) {
    EXPECT_THROW(clopperPearsonInterval(0, 0), std::invalid_argument);
    EXPECT_THROW(clopperPearsonInterval(3, 2), std::invalid_argument);
    EXPECT_THROW(clopperPearsonInterval(1, 2, 1.0), std::invalid_argument);
}

}  // namespace
}  // namespace dpflow
