#pragma once

// A release decision: everything a user chooses about how an image is privatized, typed and
// parsed once at the edge (the CLI's flags, a release.json, the studio's privacy panel), then
// used unchanged by the preview, `dpflow privatize`, `dpflow release` and the studio's export.

#include "privacy/attribute_policy.h"
#include "privacy/mechanism_settings.h"
#include "privacy/nearest_neighbour_safeguard.h"

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <optional>
#include <set>
#include <string>

namespace dpflow {

/// Everything the user chose for a release.
struct PrivatizerSettings {
    MechanismSettings mechanism;
    AttributePolicy attributes;                ///< one treatment per model attribute; empty for pixel/dppix
    std::optional<SafeguardSettings> safeguard;
};

/// The allocated mechanism's default file: when `settings` choose allocated and name no
/// allocation file, MODEL.allocation.json beside `model_path` (allocationPathBeside). Every path
/// that takes a model (CLI, release, sweep, studio) applies this one rule.
void useAllocationBesideModelByDefault(PrivatizerSettings& settings, const std::filesystem::path& model_path);

/// The names of privatizerSettingsToJson's fields, for a caller that embeds them in a larger
/// JSON object (release.json) and rejects unknown names.
const std::set<std::string>& privatizerSettingsJsonFields();

/// JSON form, the fields of a release.json: mechanism, epsilon, l1_radius (null: the default),
/// dppix_cell, dppix_m, decode ("shrink" | "direct"), keep [names], protect ["NAME:EPS"],
/// safeguard (null or {reference, tau, policy, tries, reference_public}).
nlohmann::json privatizerSettingsToJson(const PrivatizerSettings& settings);

/// Reads those fields of `json` over `settings` (absent fields keep their values; other fields
/// are ignored). Throws std::invalid_argument naming a field of the wrong type, an unknown
/// mechanism, decoding or policy, or a safeguard without tau.
void readPrivatizerSettingsJson(const nlohmann::json& json, PrivatizerSettings& settings);

}  // namespace dpflow
