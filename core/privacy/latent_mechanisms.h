#pragma once

#include "privacy/allocated_noise_plan.h"
#include "privacy/laplace_noise_plan.h"
#include "privacy/mechanism_settings.h"
#include "privacy/random_source.h"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace dpflow {

/// Per-element latent bounds of M1, calibrated once per model on its public training set only
/// (docs/privacy-semantics.md, M1 step 1). Bounds computed from the images being released void
/// the guarantee; the model file records where they came from and the release path refuses
/// any other origin.
struct LatentBox {
    std::vector<float> lo;  ///< lo_j
    std::vector<float> hi;  ///< hi_j, >= lo_j

    /// Delta = sum_j (hi_j - lo_j), summed in double precision and rounded up.
    double l1Sensitivity() const;
};

/// A privatized latent with the accounting that produced it.
struct LatentRelease {
    std::vector<float> latent;      ///< u~, ready to decode
    LaplaceNoisePlan plan;          ///< Delta, grid, b
    double input_clipped_fraction = 0.0;   ///< M1: share of elements of u outside [lo, hi]; M2: 1 if ||u||_1 > s, else 0
    double input_scale_factor = 1.0;       ///< M2: min(1, s / ||u||_1); M1: 1
    double output_clipped_fraction = 0.0;  ///< M1: share of noisy elements clipped back into the box; M2: 0
    /// allocated: each group's plan (b_g, or drawn from the prior); empty for M1 and M2, whose
    /// every element has `plan`'s b. The clipped fractions count budgeted elements only.
    std::vector<GroupNoisePlan> groups;
};

/// The latent to decode: u~ itself (Direct) or k u~ with k = latentShrinkFactor(b) (Shrink).
/// Post-processing: uses only the release's b. An allocated release shrinks each group by its own
/// k_g; under Shrink a group drawn from the prior decodes at the prior mean 0 (k = 0, the limit
/// b -> infinity: the draw says nothing of u).
std::vector<float> decodableLatent(const LatentRelease& release, LatentDecoding decoding);

/// Adds the mechanism's noise to element j of the (clipped) latent: the secure grid sampler on a
/// release, the studio's fixed unit draw scaled by b in a preview.
using LatentNoise = std::function<double(std::size_t j, double value)>;

/// M1's steps with the noise given: clip to the box, add noise, clip back, count both clippings.
/// `plan` is the release's (planLaplaceNoise of the box's Delta). Throws std::invalid_argument
/// when sizes differ or a bound pair is inverted.
LatentRelease applyBoxMechanism(const std::vector<float>& latent, const LatentBox& box, const LaplaceNoisePlan& plan,
                                const LatentNoise& add_noise);

/// M2's steps with the noise given: scale into the L1 ball of radius s for this image alone,
/// add noise. Throws std::invalid_argument for an empty latent or s not positive and finite.
LatentRelease applyL1BallMechanism(const std::vector<float>& latent, double radius, const LaplaceNoisePlan& plan,
                                   const LatentNoise& add_noise);

/// M1 `dpglow`: u = clip(u, lo, hi); u~ = u + Lap(Delta / eps) on the grid; u~ = clip(u~, lo, hi).
/// eps-local DP for the whole image. Throws std::invalid_argument when sizes differ, a bound
/// pair is inverted, the box has no width, or eps is not positive.
LatentRelease privatizeLatentInBox(const std::vector<float>& latent, const LatentBox& box, double epsilon,
                                   RandomSource& source);

/// Noise for element j of budgeted group `group` of an allocated release.
using GroupLatentNoise = std::function<double(std::size_t group, std::size_t j, double value)>;
/// The value of element j of a group drawn from the prior, independent of the image.
using PriorDraw = std::function<double(std::size_t j)>;

/// The allocated mechanism's steps with the noise given: each budgeted group g is M1 on its own
/// coordinates (clip to the box, add noise of scale b_g, clip back); each group drawn from the
/// prior takes prior(j) and never looks at the image. Throws std::invalid_argument when sizes
/// differ or a bound pair is inverted.
LatentRelease applyAllocatedBoxMechanism(const std::vector<float>& latent, const LatentBox& box,
                                         const AllocatedNoisePlan& plan, const GroupLatentNoise& add_noise,
                                         const PriorDraw& prior);

/// `allocated`: applyAllocatedBoxMechanism with the secure grid sampler of each group's plan and
/// N(0, 1) prior draws from `source`. eps-local DP with eps = sum_g eps_g.
LatentRelease privatizeLatentAllocated(const std::vector<float>& latent, const LatentBox& box,
                                       const AllocatedNoisePlan& plan, RandomSource& source);

/// M2 `cadp` (corrected): u <- u * min(1, s / ||u||_1) for this image alone; u~ = u + Lap(2s / eps)
/// on the grid. Never normalises across a batch: each call is one image.
/// Throws std::invalid_argument for an empty latent, s <= 0 or eps <= 0.
LatentRelease privatizeLatentInL1Ball(const std::vector<float>& latent, double radius, double epsilon,
                                      RandomSource& source);

}  // namespace dpflow
