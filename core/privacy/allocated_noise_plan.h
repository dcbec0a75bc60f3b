#pragma once

#include "privacy/laplace_noise_plan.h"
#include "privacy/latent_allocation.h"

#include <optional>
#include <string>
#include <vector>

namespace dpflow {

struct LatentBox;

/// The noise of one group of an allocated release: a Laplace plan for the group's own Delta_g,
/// n_g and eps_g, or none when the group is drawn from the prior.
struct GroupNoisePlan {
    std::string name;
    std::size_t begin = 0;
    std::size_t end = 0;
    std::optional<LaplaceNoisePlan> plan;  ///< Delta_g, r_g, Delta_g + n_g r_g, b_g; empty: drawn from the prior
};

/// The accounting of an allocated release: each budgeted group g is a box mechanism of its own
/// with eps_g = share_g * eps and b_g = (Delta_g + n_g r_g) / eps_g rounded up, so the groups
/// together are eps-LDP by composition over disjoint coordinates (eps = sum_g eps_g); groups
/// drawn from the prior do not depend on the image and spend nothing.
struct AllocatedNoisePlan {
    std::vector<GroupNoisePlan> groups;
    /// Sum over budgeted groups: Delta = sum Delta_g, D = sum n_g, Delta_r = sum (Delta_g + n_g r_g),
    /// eps = sum eps_g, r = the largest r_g, and b = Delta_r / eps: the scale one uniform box
    /// mechanism over the budgeted coordinates would use (for comparison only; each group uses b_g).
    LaplaceNoisePlan summary;

    /// sum_g eps_g, added in group order.
    double epsilonSum() const;
};

/// The spread of an allocated release's scales, for a line of text: the smallest and largest b_g
/// over the budgeted groups, and how many groups are budgeted and drawn from the prior.
struct GroupScaleSummary {
    double smallest = 0.0;
    double largest = 0.0;
    std::size_t budgeted = 0;
    std::size_t prior = 0;
};
GroupScaleSummary summarizeGroupScales(const std::vector<GroupNoisePlan>& groups);

/// Plans the allocated release of `box`'s latent with budget `epsilon`. The last budgeted group
/// gets eps minus the others' eps_g, so the eps_g add up to eps. Throws std::invalid_argument
/// when the allocation does not fit the box (validateLatentAllocation), a budgeted group has no
/// width in the box, or eps is not positive and finite.
AllocatedNoisePlan planAllocatedNoise(const LatentBox& box, const LatentAllocation& allocation, double epsilon);

}  // namespace dpflow
