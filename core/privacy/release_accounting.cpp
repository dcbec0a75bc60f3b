#include "privacy/release_accounting.h"

#include "privacy/image_space_mechanisms.h"

#include <fmt/format.h>

#include <cmath>

namespace dpflow {

std::string ReleaseAccounting::mechanismEpsilonName() const {
    return isLatentMechanism(mechanism) ? "eps_latent" : "eps_pixel";
}

std::string ReleaseAccounting::partsText() const {
    std::string parts = fmt::format("{} {:.17g}", mechanismEpsilonName(), epsilon_mechanism);
    for (const auto& attribute : attributes)
        if (attribute.protect) parts += fmt::format(" + eps_{} {:.17g}", attribute.name, attribute.epsilon);
    if (safeguard_factor != 1) parts = fmt::format("{} x ({})", safeguard_factor, parts);
    return fmt::format("{} = {:.17g}", parts, epsilon_total);
}

LaplaceNoisePlan mechanismNoisePlan(const MechanismSettings& settings, std::size_t latent_dimension,
                                    double box_sensitivity, int width, int height) {
    switch (settings.mechanism) {
        case PrivacyMechanism::DpGlow: return planLaplaceNoise(box_sensitivity, latent_dimension, settings.epsilon);
        case PrivacyMechanism::Cadp:
            return planLaplaceNoise(2.0 * settings.l1_radius.value_or(defaultL1Radius(latent_dimension)), latent_dimension,
                                    settings.epsilon);
        case PrivacyMechanism::Pixel: return planPixelNoise(width, height, settings.epsilon);
        case PrivacyMechanism::DpPix:
            return planDpPixNoise(width, height, settings.dppix_cell, settings.dppix_neighbourhood, settings.epsilon);
        case PrivacyMechanism::Allocated:
            throw std::invalid_argument("the allocated mechanism's plan is per group: use planAllocatedNoise");
    }
    throw std::invalid_argument("unknown privacy mechanism");
}

void describeAllocation(ReleaseAccounting& accounting, const AllocatedNoisePlan& plan, const LatentAllocation& allocation) {
    accounting.plan = plan.summary;
    accounting.groups = plan.groups;
    accounting.allocation_file = allocation.file_name;
    accounting.allocation_sha256 = allocation.file_sha256;
    accounting.allocation_scheme = allocation.scheme;
    accounting.allocation_public_data = allocation.public_data;
}

ReleaseAccounting accountRelease(const MechanismSettings& settings, std::optional<LaplaceNoisePlan> plan,
                                 const AttributePolicy& policy, const std::vector<FlowAttribute>& attributes,
                                 int safeguard_factor) {
    ReleaseAccounting accounting;
    accounting.mechanism = settings.mechanism;
    accounting.plan = plan;
    accounting.epsilon_mechanism = settings.epsilon;
    if (settings.mechanism == PrivacyMechanism::Cadp && plan) {
        accounting.l1_radius = settings.l1_radius.value_or(defaultL1Radius(plan->dimension));
        accounting.l1_radius_origin = settings.l1_radius ? "given with --l1-radius" : kDefaultL1RadiusOrigin;
    }
    if (isLatentMechanism(settings.mechanism)) {
        accounting.decoding = settings.decoding;
        if (settings.decoding == LatentDecoding::Shrink && plan && settings.mechanism != PrivacyMechanism::Allocated)
            accounting.shrink_factor = latentShrinkFactor(plan->scale);
    }
    accounting.epsilon_per_try = settings.epsilon;
    for (const auto& attribute : attributes) {
        accounting.attributes.push_back(describeAttributeTreatment(policy, attribute));
        accounting.epsilon_per_try += accounting.attributes.back().epsilon;
    }
    accounting.safeguard_factor = safeguard_factor;
    accounting.epsilon_total = safeguard_factor * accounting.epsilon_per_try;
    return accounting;
}

namespace {

// The allocated mechanism's groups: what each spends and its scale, and that eps is their sum.
std::string explainAllocation(const ReleaseAccounting& a) {
    std::string text = fmt::format("allocation: {} (SHA-256 {}), scheme {}, computed from {}\n", a.allocation_file,
                                   a.allocation_sha256, a.allocation_scheme, a.allocation_public_data);
    text += "each group g is released at its own eps_g with b_g = (Delta_g + n_g r_g) / eps_g; groups drawn from the prior "
            "do not depend on the image and spend nothing\n";
    double sum = 0.0;
    std::size_t prior = 0, prior_groups = 0;
    for (const auto& group : a.groups) {
        if (!group.plan) {
            prior += group.end - group.begin;
            ++prior_groups;
            text += fmt::format("  {:<22} n {:>5}: drawn from the prior N(0,1), eps_g 0\n", group.name, group.end - group.begin);
            continue;
        }
        const auto& p = *group.plan;
        sum += p.epsilon;
        text += fmt::format("  {:<22} n {:>5}: Delta_g {:.6g}, eps_g {:.6g} ({:.2f}%), r_g 2^{}, b_g {:.6g}", group.name,
                            p.dimension, p.l1_sensitivity, p.epsilon, 100.0 * p.epsilon / a.epsilon_mechanism,
                            std::ilogb(p.granularity), p.scale);
        if (a.decoding == LatentDecoding::Shrink) text += fmt::format(", k_g {:.4g}", latentShrinkFactor(p.scale));
        text += "\n";
    }
    text += fmt::format("b of one uniform box over the same {} budgeted elements (for comparison): {:.17g}\n",
                        a.plan->dimension, a.plan->scale);
    text += fmt::format("{} groups ({} elements) drawn from the prior; sum of eps_g over the budgeted groups: {:.17g}\n",
                        prior_groups, prior, sum);
    return text;
}

}  // namespace

std::string explainAccounting(const ReleaseAccounting& a) {
    std::string text = fmt::format("mechanism: {}\n", mechanismName(a.mechanism));
    if (a.plan) {
        const auto& p = *a.plan;
        text += fmt::format("D (released elements): {}\n", p.dimension);
        text += fmt::format("Delta (L1 sensitivity): {:.17g}\n", p.l1_sensitivity);
        if (a.l1_radius) text += fmt::format("s (L1 radius): {:.17g} ({})\n", *a.l1_radius, a.l1_radius_origin);
        text += fmt::format("r (grid granularity): {:.17g} (2^{})\n", p.granularity, std::ilogb(p.granularity));
        text += fmt::format("Delta_r = Delta + D r: {:.17g}\n", p.accounted_sensitivity);
        if (a.groups.empty())
            text += fmt::format("b (noise scale per element) = Delta_r / {}: {:.17g}\n", a.mechanismEpsilonName(), p.scale);
        else
            text += explainAllocation(a);
    } else {
        text += "D, Delta, r and b depend on each image's size: pixel uses D = Delta = H*W, dppix one element per "
                "cell; each image's record states them\n";
    }
    if (a.decoding == LatentDecoding::Direct) text += "decoding: direct, x~ = f^-1(u~ | c')\n";
    if (a.decoding == LatentDecoding::Shrink && !a.groups.empty())
        text += "decoding: shrink per group, x~ = f^-1(k_g u~_g | c') with k_g = 1 / (1 + 2 b_g^2); groups drawn from the "
                "prior decode at the prior mean 0 (post-processing with public b_g and prior: spends no budget)\n";
    if (a.shrink_factor) {
        text += fmt::format("decoding: shrink, x~ = f^-1(k u~ | c') with k = 1 / (1 + 2 b^2) = {:.6g} "
                            "(post-processing with public b and prior: spends no budget)\n", *a.shrink_factor);
    }
    text += fmt::format("{}: {:.17g}\n", a.mechanismEpsilonName(), a.epsilon_mechanism);
    if (a.attributes.empty()) text += "attributes: none released\n";
    for (const auto& attribute : a.attributes) {
        if (!attribute.protect)
            text += fmt::format("attribute {}: kept (disclosed exactly, keep probability 1)\n", attribute.name);
        else if (attribute.method == "randomized response")
            text += fmt::format("attribute {}: protected, eps_{} = {:.17g}, randomized response over {} values, "
                                "keep probability {:.6f}\n",
                                attribute.name, attribute.name, attribute.epsilon, attribute.categories,
                                attribute.keep_probability);
        else
            text += fmt::format("attribute {}: protected, eps_{} = 0, drawn from the {}, keep probability {:.6f}\n",
                                attribute.name, attribute.name, attribute.prior, attribute.keep_probability);
    }
    if (a.safeguard_factor != 1)
        text += fmt::format("safeguard: resample with at most {} tries: every try spends the budget again\n",
                            a.safeguard_factor);
    text += fmt::format("eps_total: {}\n", a.partsText());
    return text;
}

bool formalGuaranteeIsVacuous(double epsilon) { return epsilon > 10.0; }

std::string vacuousGuaranteeStatement(double epsilon) {
    return fmt::format("At epsilon {:g} the formal guarantee is vacuous: e^epsilon bounds nothing a reader can use, so what "
                       "protects the patients is only what the measured attacks show.",
                       epsilon);
}

std::string attributeTreatmentStatement(const ReleasedAttribute& attribute, const ReleaseAccounting& accounting) {
    if (!attribute.protect)
        return fmt::format("'{}' is kept: its released value is the patient's true value, disclosed in the record, in a "
                           "release's manifest and, where DICOM has an element for it, in the released header.",
                           attribute.name);
    const std::string drawn = attribute.epsilon > 0 ? fmt::format("randomized at eps_{} = {:g} ({})", attribute.name,
                                                                  attribute.epsilon, attribute.method)
                                                    : fmt::format("drawn from the prior (eps_{} = 0)", attribute.name);
    return fmt::format("'{}' is protected: its released value is {} and no released header carries it. The pixels may "
                       "still show it (a burned-in 'PORTABLE' marker says AP; anatomy shows sex) and are protected only at "
                       "{} = {:g}, so '{}' is protected at eps_total = {:g}, not at eps_{} alone.",
                       attribute.name, drawn, accounting.mechanismEpsilonName(), accounting.epsilon_mechanism, attribute.name,
                       accounting.epsilon_total, attribute.name);
}

}  // namespace dpflow
