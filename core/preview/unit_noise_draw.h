#pragma once

#include "privacy/attribute_policy.h"
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
    /// sampler with b = 1), `elements` standard normals and `attributes` uniforms in [0, 1) from `source`.
    UnitNoiseDraw(std::size_t elements, std::size_t attributes, RandomSource& source);

    /// Unit Laplace value of element j (j < elements()).
    double laplace(std::size_t j) const { return laplace_[j]; }
    /// Standard normal value of element j (j < elements()): the prior draw of a latent element
    /// that an allocated release gives no budget.
    double normal(std::size_t j) const { return normals_[j]; }
    std::size_t elements() const { return laplace_.size(); }

    /// Uniform in [0, 1) fixed for attribute k (k < attributes()).
    double attributeUniform(std::size_t k) const { return uniforms_[k]; }
    std::size_t attributes() const { return uniforms_.size(); }

private:
    std::vector<double> laplace_;
    std::vector<double> normals_;
    std::vector<double> uniforms_;
};

/// The attribute draw of a preview (releaseAttributes with the release's rule): each attribute's
/// fixed uniform u decides, so the shown c' changes only where eps_k moves the keep probability
/// across u. Randomized response keeps the true value when u < e^eps / (e^eps + K - 1), else
/// takes the other values in order of u; the prior takes value floor(u K). The same
/// distribution as the release's exact draws when u is uniform; never used for a release.
class FixedAttributeDraw : public AttributeDraw {
public:
    explicit FixedAttributeDraw(const UnitNoiseDraw& draw) : draw_(draw) {}
    int randomizedResponse(std::size_t attribute, int true_index, int count, double epsilon) override;
    int uniformPrior(std::size_t attribute, int count) override;

private:
    const UnitNoiseDraw& draw_;
};

}  // namespace dpflow
