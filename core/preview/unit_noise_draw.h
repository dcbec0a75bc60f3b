#pragma once

#include "privacy/random_source.h"

#include <cstddef>
#include <vector>

namespace dpflow {

/// The one fixed noise draw of a preview: unit-scale Laplace values for every element (latent or
/// pixel) and one uniform value per attribute, drawn from the secure source once per image or
/// on "new noise draw". Scaling the same unit values by the current b makes slider moves change
/// the noise amplitude only, never its pattern, so the picture does not flicker. A preview is
/// never released (see preview_result.h); exports draw fresh noise through the Privatizer.
class UnitNoiseDraw {
public:
    UnitNoiseDraw() = default;

    /// Draws `elements` unit Laplace values (exact discrete Laplace on a 2^-40 grid, the release
    /// sampler with b = 1) and `attributes` uniforms in [0, 1) from `source`.
    UnitNoiseDraw(std::size_t elements, std::size_t attributes, RandomSource& source);

    /// Unit Laplace value of element j (j < elements()).
    double laplace(std::size_t j) const { return laplace_[j]; }
    std::size_t elements() const { return laplace_.size(); }

    /// Uniform in [0, 1) fixed for attribute k (k < attributes()).
    double attributeUniform(std::size_t k) const { return uniforms_[k]; }
    std::size_t attributes() const { return uniforms_.size(); }

private:
    std::vector<double> laplace_;
    std::vector<double> uniforms_;
};

}  // namespace dpflow
