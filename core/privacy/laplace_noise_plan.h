#pragma once

#include <cstddef>

namespace dpflow {

/// The accounting of one Laplace release on a grid, as fixed by docs/privacy-semantics.md
/// ("Randomness"): every value is rounded to a multiple of the granularity r, which moves each of
/// the D elements by at most r/2, so the noise is calibrated to Delta_r = Delta + D * r and the
/// guarantee stays exactly eps.
struct LaplaceNoisePlan {
    double l1_sensitivity = 0.0;        ///< Delta: L1 sensitivity of the unrounded values
    std::size_t dimension = 0;          ///< D: number of released elements
    double epsilon = 0.0;               ///< eps spent by this release
    double granularity = 0.0;           ///< r = 2^ceil(log2((Delta / eps) / 2^40))
    double accounted_sensitivity = 0.0; ///< Delta_r = Delta + D * r
    double scale = 0.0;                 ///< b = Delta_r / eps, rounded up, never down
};

/// Computes the plan for releasing D values of L1 sensitivity Delta with budget eps.
/// Throws std::invalid_argument for a non-positive or non-finite Delta or eps, or D = 0.
LaplaceNoisePlan planLaplaceNoise(double l1_sensitivity, std::size_t dimension, double epsilon);

/// The smallest power of two at or above `value` (> 0), computed exactly.
double powerOfTwoAtLeast(double value);

}  // namespace dpflow
