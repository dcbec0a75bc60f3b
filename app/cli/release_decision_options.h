#pragma once

// The command-line form of a release decision (privatizer_settings.h), one set of flags for
// `dpflow privatize` and `dpflow release`, so both take the same choices with the same names.

#include "privacy/privatizer_settings.h"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace dpflow::cli {

/// The flags' values as CLI11 parses them.
struct ReleaseDecisionOptions {
    std::string mechanism = "dpglow";
    double epsilon = 0.0;
    std::vector<std::string> keep;
    std::vector<std::string> protect;
    std::string decoding = "shrink";
    std::string allocation;
    double l1_radius = 0.0;
    int dppix_cell = 4;
    int dppix_neighbourhood = 16;
    std::string reference;
    double tau = 0.0;
    std::string policy = "withhold";
    int tries = 1;
    bool reference_public = false;
};

/// Registers --mechanism, --allocation, --epsilon, --keep, --protect, --decode, --l1-radius, --dppix-cell,
/// --dppix-m, --safeguard, --tau, --policy, --tries and --reference-public on `command`.
void addReleaseDecisionOptions(CLI::App& command, ReleaseDecisionOptions& options);

/// Applies the flags given on `command` over `settings`; a flag not given leaves its field (the
/// default, or a release.json's value). Throws CLI::ValidationError (a usage error) for a
/// malformed --protect item, a safeguard without tau, or a safeguard flag without a safeguard.
void applyReleaseDecisionOptions(const ReleaseDecisionOptions& options, const CLI::App& command, PrivatizerSettings& settings);

}  // namespace dpflow::cli
