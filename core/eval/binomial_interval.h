#pragma once

#include <cstddef>

namespace dpflow {

/// A two-sided confidence interval for a proportion.
struct ProportionInterval {
    double low = 0.0;
    double high = 1.0;
};

/// Clopper-Pearson ("exact") interval for `successes` out of `trials` at `confidence` (0.95: a
/// 95% interval): `low` is the p at which P(X >= successes) = alpha/2 (0 when successes = 0),
/// `high` the p at which P(X <= successes) = alpha/2 (1 when successes = trials), X ~ Bin(trials,
/// p). Conservative: its coverage is at least `confidence` for every p. With 0 of n the upper end
/// is 1 - (alpha/2)^(1/n), about 3.7/n: a rate cannot be shown smaller than that with n trials.
/// Throws std::invalid_argument when trials is 0, successes > trials or confidence is not in (0, 1).
ProportionInterval clopperPearsonInterval(std::size_t successes, std::size_t trials, double confidence = 0.95);

}  // namespace dpflow
