#include "preview/unit_noise_draw.h"

#include "privacy/grid_laplace_sampler.h"
#include "privacy/randomized_response.h"

#include <algorithm>

namespace dpflow {

UnitNoiseDraw::UnitNoiseDraw(std::size_t elements, std::size_t attributes, RandomSource& source) {
    // Delta = eps = 1 over one element gives b = 1 + 2^-40: unit scale on the finest grid.
    GridLaplaceSampler sampler(source, planLaplaceNoise(1.0, 1, 1.0));
    laplace_.resize(elements);
    for (double& value : laplace_) value = sampler.sampleNoise();
    normals_.resize(elements);
    for (double& value : normals_) value = standardNormal(source);
    uniforms_.resize(attributes);
    for (double& value : uniforms_) value = static_cast<double>(source.nextUint64() >> 11) * 0x1.0p-53;
}

int FixedAttributeDraw::randomizedResponse(std::size_t attribute, int true_index, int count, double epsilon) {
    const double u = draw_.attributeUniform(attribute);
    const double keep = randomizedResponseKeepProbability(count, epsilon);
    if (u < keep || count < 2) return true_index;
    const int other = std::min(count - 2, static_cast<int>((u - keep) / (1.0 - keep) * (count - 1)));
    return other < true_index ? other : other + 1;
}

int FixedAttributeDraw::uniformPrior(std::size_t attribute, int count) {
    return std::min(count - 1, static_cast<int>(draw_.attributeUniform(attribute) * count));
}

}  // namespace dpflow
