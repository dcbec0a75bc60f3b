#include "release_decision_options.h"

#include "attribute_arguments.h"

#include <fmt/format.h>

namespace dpflow::cli {

void addReleaseDecisionOptions(CLI::App& command, ReleaseDecisionOptions& o) {
    command.add_option("--epsilon", o.epsilon, "eps of the image mechanism (eps_latent or eps_pixel)")->check(CLI::PositiveNumber);
    command.add_option("--mechanism", o.mechanism, "dpglow, cadp, pixel, dppix or allocated")
        ->check(CLI::IsMember({"dpglow", "cadp", "pixel", "dppix", "allocated"}))->capture_default_str();
    command.add_option("--allocation", o.allocation,
                       "allocated: the allocation file from `dpflow allocate` (default MODEL.allocation.json beside the model)")
        ->check(CLI::ExistingFile);
    command.add_option("--keep", o.keep, "Attributes disclosed exactly, comma-separated")->delimiter(',');
    command.add_option("--protect", o.protect, "Protected attributes NAME:EPS (EPS 0: drawn from the prior), comma-separated")
        ->delimiter(',');
    command.add_option("--decode", o.decoding, "latent mechanisms: decode u~ directly, or shrink it by 1/(1+2b^2) first (post-processing)")
        ->check(CLI::IsMember({"direct", "shrink"}))->capture_default_str();
    command.add_option("--l1-radius", o.l1_radius, "cadp: L1 radius s (default sqrt(2/pi) * D)")->check(CLI::PositiveNumber);
    command.add_option("--dppix-cell", o.dppix_cell, "dppix: cell side b in pixels")->check(CLI::PositiveNumber)->capture_default_str();
    command.add_option("--dppix-m", o.dppix_neighbourhood, "dppix: neighbouring images differ in at most m pixels")
        ->check(CLI::PositiveNumber)->capture_default_str();
    command.add_option("--safeguard", o.reference, "Reference manifest R of the nearest-neighbour safeguard")->check(CLI::ExistingFile);
    command.add_option("--tau", o.tau, "Safeguard: release only at distance >= tau")->check(CLI::NonNegativeNumber);
    command.add_option("--policy", o.policy, "Safeguard: withhold or resample")->check(CLI::IsMember({"withhold", "resample"}))
        ->capture_default_str();
    command.add_option("--tries", o.tries, "Safeguard resample: at most n tries (accounted n x eps)")->check(CLI::PositiveNumber)
        ->capture_default_str();
    command.add_flag("--reference-public", o.reference_public, "Assert that R holds only public images (e.g. the model's training set)");
}

void applyReleaseDecisionOptions(const ReleaseDecisionOptions& o, const CLI::App& command, PrivatizerSettings& s) {
    auto given = [&](const char* flag) { return command.count(flag) > 0; };
    MechanismSettings& m = s.mechanism;
    if (given("--mechanism")) m.mechanism = parseMechanism(o.mechanism);
    if (given("--epsilon")) m.epsilon = o.epsilon;
    if (given("--decode")) m.decoding = parseLatentDecoding(o.decoding);
    if (given("--allocation")) m.allocation = o.allocation;
    if (!m.allocation.empty() && m.mechanism != PrivacyMechanism::Allocated)
        throw CLI::ValidationError("--allocation", "--allocation is for --mechanism allocated");
    if (given("--l1-radius")) m.l1_radius = o.l1_radius;
    if (given("--dppix-cell")) m.dppix_cell = o.dppix_cell;
    if (given("--dppix-m")) m.dppix_neighbourhood = o.dppix_neighbourhood;
    if (given("--keep") || given("--protect")) {
        std::vector<std::string> keep = o.keep, protect = o.protect;
        for (const auto& treatment : s.attributes) {
            if (!treatment.protect && !given("--keep")) keep.push_back(treatment.name);
            if (treatment.protect && !given("--protect")) protect.push_back(fmt::format("{}:{}", treatment.name, treatment.epsilon));
        }
        s.attributes = parseAttributePolicy(keep, protect);
    }
    if (given("--safeguard")) {
        if (!s.safeguard && !given("--tau")) throw CLI::ValidationError("--safeguard", "the safeguard needs --tau");
        SafeguardSettings safeguard = s.safeguard.value_or(SafeguardSettings{});
        safeguard.reference_manifest = o.reference;
        s.safeguard = safeguard;
    }
    for (const char* flag : {"--tau", "--policy", "--tries", "--reference-public"})
        if (given(flag) && !s.safeguard) throw CLI::ValidationError(flag, std::string(flag) + " needs --safeguard");
    if (!s.safeguard) return;
    if (given("--tau")) s.safeguard->tau = o.tau;
    if (given("--policy")) s.safeguard->policy = parseSafeguardPolicy(o.policy);
    if (given("--tries")) s.safeguard->tries = o.tries;
    if (s.safeguard->policy == SafeguardPolicy::Withhold) s.safeguard->tries = 1;
    if (given("--reference-public")) s.safeguard->reference_public = true;
}

}  // namespace dpflow::cli
