#include "privacy/allocated_noise_plan.h"

#include "privacy/latent_mechanisms.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace dpflow {

double AllocatedNoisePlan::epsilonSum() const {
    double sum = 0.0;
    for (const auto& group : groups)
        if (group.plan) sum += group.plan->epsilon;
    return sum;
}

GroupScaleSummary summarizeGroupScales(const std::vector<GroupNoisePlan>& groups) {
    GroupScaleSummary summary;
    summary.smallest = std::numeric_limits<double>::infinity();
    for (const GroupNoisePlan& group : groups) {
        if (!group.plan) {
            ++summary.prior;
            continue;
        }
        ++summary.budgeted;
        summary.smallest = std::min(summary.smallest, group.plan->scale);
        summary.largest = std::max(summary.largest, group.plan->scale);
    }
    if (summary.budgeted == 0) summary.smallest = 0.0;
    return summary;
}

AllocatedNoisePlan planAllocatedNoise(const LatentBox& box, const LatentAllocation& allocation, double epsilon) {
    if (!(epsilon > 0.0) || !std::isfinite(epsilon)) throw std::invalid_argument("epsilon must be positive and finite");
    validateLatentAllocation(allocation, box.lo.size(), "");
    if (box.hi.size() != box.lo.size()) throw std::invalid_argument("the calibration box's bounds differ in size");

    std::size_t last_budgeted = 0;
    for (std::size_t g = 0; g < allocation.groups.size(); ++g)
        if (!allocation.groups[g].drawnFromPrior()) last_budgeted = g;

    AllocatedNoisePlan plan;
    double spent = 0.0, delta = 0.0, accounted = 0.0, granularity = 0.0;
    std::size_t dimension = 0;
    for (std::size_t g = 0; g < allocation.groups.size(); ++g) {
        const LatentGroup& group = allocation.groups[g];
        GroupNoisePlan noise{group.name, group.begin, group.end, std::nullopt};
        if (!group.drawnFromPrior()) {
            LatentBox part{{box.lo.begin() + group.begin, box.lo.begin() + group.end},
                           {box.hi.begin() + group.begin, box.hi.begin() + group.end}};
            const double group_epsilon = g == last_budgeted ? epsilon - spent : group.budget_share * epsilon;
            if (!(group_epsilon > 0.0))
                throw std::invalid_argument("allocation group '" + group.name + "' is left no budget after rounding");
            noise.plan = planLaplaceNoise(part.l1Sensitivity(), group.size(), group_epsilon);
            spent += group_epsilon;
            delta += noise.plan->l1_sensitivity;
            accounted += noise.plan->accounted_sensitivity;
            granularity = std::max(granularity, noise.plan->granularity);
            dimension += group.size();
        }
        plan.groups.push_back(std::move(noise));
    }
    const double inf = std::numeric_limits<double>::infinity();
    plan.summary.l1_sensitivity = delta;
    plan.summary.dimension = dimension;
    plan.summary.epsilon = epsilon;
    plan.summary.granularity = granularity;
    plan.summary.accounted_sensitivity = accounted;
    plan.summary.scale = std::nextafter(accounted / epsilon, inf);
    return plan;
}

}  // namespace dpflow
