#pragma once

#include "privacy/laplace_noise_plan.h"
#include "privacy/random_source.h"

#include <cstddef>

namespace dpflow {

/// Throughput of the secure grid Laplace sampler (`dpflow bench-sampler`).
struct SamplerThroughput {
    std::size_t values = 0;         ///< noise values drawn in all
    double seconds = 0.0;           ///< wall-clock time of the draws
    double values_per_second = 0.0;
};

/// Draws `rounds` x plan.dimension noise values from a GridLaplaceSampler on `source` and
/// times them. The cost per value depends on the discrete scale b / r, so the plan should be
/// the one of a real release. Throws std::invalid_argument for rounds < 1.
SamplerThroughput measureSamplerThroughput(RandomSource& source, const LaplaceNoisePlan& plan, int rounds);

}  // namespace dpflow
