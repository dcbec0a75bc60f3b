#pragma once

#include "privacy/laplace_noise_plan.h"
#include "privacy/random_source.h"

#include <cstdint>

namespace dpflow {

/// Laplace noise on a power-of-two grid (the approach of Google's differential-privacy library):
/// noise = r * k with k an exact discrete Laplace integer of scale b / r, and values rounded to
/// the grid before the noise is added. See LaplaceNoisePlan for the accounting.
class GridLaplaceSampler {
public:
    /// Uses `source` for every draw; it must outlive the sampler.
    GridLaplaceSampler(RandomSource& source, const LaplaceNoisePlan& plan);

    /// One noise value, a multiple of the granularity.
    double sampleNoise();

    /// `value` rounded to the nearest multiple of the granularity (ties away from zero).
    double roundToGrid(double value) const;

    /// roundToGrid(value) + sampleNoise(): one privatized element.
    double privatize(double value) { return roundToGrid(value) + sampleNoise(); }

    const LaplaceNoisePlan& plan() const { return plan_; }
    RandomSource& source() const { return source_; }

private:
    RandomSource& source_;
    LaplaceNoisePlan plan_;
    double integer_scale_;  ///< b / r, the discrete Laplace scale in grid steps
};

}  // namespace dpflow
