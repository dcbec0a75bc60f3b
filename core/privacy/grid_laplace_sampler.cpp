#include "privacy/grid_laplace_sampler.h"

#include "privacy/exact_sampling.h"

#include <cmath>

namespace dpflow {

GridLaplaceSampler::GridLaplaceSampler(RandomSource& source, const LaplaceNoisePlan& plan)
    : source_(source), plan_(plan), integer_scale_(plan.scale / plan.granularity) {}

double GridLaplaceSampler::sampleNoise() {
    return plan_.granularity * static_cast<double>(sampleDiscreteLaplace(source_, integer_scale_));
}

double GridLaplaceSampler::roundToGrid(double value) const {
    return std::round(value / plan_.granularity) * plan_.granularity;
}

}  // namespace dpflow
