#include "preview/unit_noise_draw.h"

#include "privacy/grid_laplace_sampler.h"

namespace dpflow {

UnitNoiseDraw::UnitNoiseDraw(std::size_t elements, std::size_t attributes, RandomSource& source) {
    // Delta = eps = 1 over one element gives b = 1 + 2^-40: unit scale on the finest grid.
    GridLaplaceSampler sampler(source, planLaplaceNoise(1.0, 1, 1.0));
    laplace_.resize(elements);
    for (double& value : laplace_) value = sampler.sampleNoise();
    uniforms_.resize(attributes);
    for (double& value : uniforms_) value = static_cast<double>(source.nextUint64() >> 11) * 0x1.0p-53;
}

}  // namespace dpflow
