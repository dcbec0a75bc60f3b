#include "privacy/latent_mechanisms.h"

#include "privacy/grid_laplace_sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

namespace dpflow {

double LatentBox::l1Sensitivity() const {
    long double sum = 0.0L;
    for (std::size_t j = 0; j < lo.size(); ++j) sum += static_cast<long double>(hi[j]) - lo[j];
    return std::nextafter(static_cast<double>(sum), std::numeric_limits<double>::infinity());
}

namespace {

void checkBox(const std::vector<float>& latent, const LatentBox& box) {
    if (box.lo.size() != latent.size() || box.hi.size() != latent.size())
        throw std::invalid_argument("the latent has " + std::to_string(latent.size()) + " elements but the calibration box " +
                                    std::to_string(box.lo.size()) + "; the model and its calibration do not match");
    for (std::size_t j = 0; j < latent.size(); ++j)
        if (!(box.lo[j] <= box.hi[j])) throw std::invalid_argument("calibration bound " + std::to_string(j) + " has lo > hi");
}

}  // namespace

LatentRelease applyBoxMechanism(const std::vector<float>& latent, const LatentBox& box, const LaplaceNoisePlan& plan,
                                const LatentNoise& add_noise) {
    checkBox(latent, box);

    LatentRelease release;
    release.plan = plan;
    release.latent.resize(latent.size());
    std::size_t clipped_in = 0, clipped_out = 0;
    for (std::size_t j = 0; j < latent.size(); ++j) {
        const double lo = box.lo[j], hi = box.hi[j];
        const double u = std::clamp(static_cast<double>(latent[j]), lo, hi);
        clipped_in += u != latent[j];
        const double noisy = add_noise(j, u);
        const double released = std::clamp(noisy, lo, hi);
        clipped_out += released != noisy;
        release.latent[j] = static_cast<float>(released);
    }
    release.input_clipped_fraction = static_cast<double>(clipped_in) / latent.size();
    release.output_clipped_fraction = static_cast<double>(clipped_out) / latent.size();
    return release;
}


LatentRelease applyAllocatedBoxMechanism(const std::vector<float>& latent, const LatentBox& box,
                                         const AllocatedNoisePlan& plan, const GroupLatentNoise& add_noise,
                                         const PriorDraw& prior) {
    checkBox(latent, box);
    if (plan.groups.empty() || plan.groups.back().end != latent.size())
        throw std::invalid_argument("the allocation's groups do not cover the latent's " + std::to_string(latent.size()) +
                                    " elements");
    LatentRelease release;
    release.plan = plan.summary;
    release.groups = plan.groups;
    release.latent.resize(latent.size());
    std::size_t clipped_in = 0, clipped_out = 0, budgeted = 0;
    for (std::size_t g = 0; g < plan.groups.size(); ++g) {
        const GroupNoisePlan& group = plan.groups[g];
        for (std::size_t j = group.begin; j < group.end; ++j) {
            if (!group.plan) {
                release.latent[j] = static_cast<float>(prior(j));
                continue;
            }
            const double lo = box.lo[j], hi = box.hi[j];
            const double u = std::clamp(static_cast<double>(latent[j]), lo, hi);
            clipped_in += u != latent[j];
            const double noisy = add_noise(g, j, u);
            const double released = std::clamp(noisy, lo, hi);
            clipped_out += released != noisy;
            release.latent[j] = static_cast<float>(released);
            ++budgeted;
        }
    }
    release.input_clipped_fraction = budgeted ? static_cast<double>(clipped_in) / budgeted : 0.0;
    release.output_clipped_fraction = budgeted ? static_cast<double>(clipped_out) / budgeted : 0.0;
    return release;
}

LatentRelease privatizeLatentAllocated(const std::vector<float>& latent, const LatentBox& box,
                                       const AllocatedNoisePlan& plan, RandomSource& source) {
    std::vector<std::optional<GridLaplaceSampler>> samplers(plan.groups.size());
    for (std::size_t g = 0; g < plan.groups.size(); ++g)
        if (plan.groups[g].plan) samplers[g].emplace(source, *plan.groups[g].plan);
    return applyAllocatedBoxMechanism(
        latent, box, plan, [&samplers](std::size_t g, std::size_t, double u) { return samplers[g]->privatize(u); },
        [&source](std::size_t) { return standardNormal(source); });
}

LatentRelease applyL1BallMechanism(const std::vector<float>& latent, double radius, const LaplaceNoisePlan& plan,
                                   const LatentNoise& add_noise) {
    if (latent.empty()) throw std::invalid_argument("cannot privatize an empty latent");
    if (!(radius > 0.0) || !std::isfinite(radius)) throw std::invalid_argument("the L1 radius s must be positive and finite");

    LatentRelease release;
    release.plan = plan;
    double norm = 0.0;
    for (float u : latent) norm += std::abs(static_cast<double>(u));
    release.input_scale_factor = norm > radius ? radius / norm : 1.0;
    release.input_clipped_fraction = norm > radius ? 1.0 : 0.0;
    release.latent.resize(latent.size());
    for (std::size_t j = 0; j < latent.size(); ++j)
        release.latent[j] = static_cast<float>(add_noise(j, latent[j] * release.input_scale_factor));
    return release;
}

LatentRelease privatizeLatentInBox(const std::vector<float>& latent, const LatentBox& box, double epsilon,
                                   RandomSource& source) {
    const LaplaceNoisePlan plan = planLaplaceNoise(box.l1Sensitivity(), latent.size(), epsilon);
    GridLaplaceSampler sampler(source, plan);
    return applyBoxMechanism(latent, box, plan, [&sampler](std::size_t, double u) { return sampler.privatize(u); });
}

LatentRelease privatizeLatentInL1Ball(const std::vector<float>& latent, double radius, double epsilon,
                                      RandomSource& source) {
    if (!(radius > 0.0) || !std::isfinite(radius)) throw std::invalid_argument("the L1 radius s must be positive and finite");
    const LaplaceNoisePlan plan = planLaplaceNoise(2.0 * radius, latent.size(), epsilon);
    GridLaplaceSampler sampler(source, plan);
    return applyL1BallMechanism(latent, radius, plan, [&sampler](std::size_t, double u) { return sampler.privatize(u); });
}

std::vector<float> decodableLatent(const LatentRelease& release, LatentDecoding decoding) {
    if (decoding == LatentDecoding::Direct) return release.latent;
    std::vector<float> shrunk(release.latent.size());
    if (release.groups.empty()) {
        const double k = latentShrinkFactor(release.plan.scale);
        for (size_t j = 0; j < shrunk.size(); ++j) shrunk[j] = static_cast<float>(k * release.latent[j]);
        return shrunk;
    }
    for (const auto& group : release.groups) {
        const double k = group.plan ? latentShrinkFactor(group.plan->scale) : 0.0;
        for (size_t j = group.begin; j < group.end; ++j) shrunk[j] = static_cast<float>(k * release.latent[j]);
    }
    return shrunk;
}

}  // namespace dpflow
