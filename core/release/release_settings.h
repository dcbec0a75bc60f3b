#pragma once

#include "privacy/privatizer_settings.h"
#include "release/release_shard.h"

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dpflow {

/// Everything a privacy officer decides for a release, as given on the command line of
/// `dpflow release` or in its `--config release.json` (same names, see releaseSettingsFromJson).
struct ReleaseSettings {
    std::vector<std::string> inputs;        ///< manifests (.csv) or folders of PNG/DICOM
    std::vector<std::string> attributes;    ///< NAME=VALUE for inputs without manifest columns
    std::string model;                      ///< flow weights (.safetensors)
    PrivatizerSettings decision;            ///< mechanism, eps, decoding, attribute treatments, safeguard
    std::vector<std::string> formats = {"dcm"};  ///< "dcm" and/or "png"
    std::string purpose;                    ///< what the data is released for, quoted in the certificate
    std::string evaluation;                 ///< sweep results CSV quoted at this mechanism and eps; empty: none
    std::optional<double> budget_limit;     ///< per-image eps_total beyond which the ledger warns
    ReleaseShard shard;                     ///< the slice of the inputs this run releases
};

/// JSON form, the format of `--config release.json` (every field optional except those
/// validateReleaseSettings requires): inputs, attributes, model, the decision's fields
/// (privatizerSettingsToJson: mechanism, epsilon, l1_radius, dppix_cell, dppix_m, decode, keep,
/// protect, safeguard {reference, tau, policy, tries, reference_public}), formats, purpose,
/// evaluation, budget_limit, shard ("i/N").
nlohmann::json releaseSettingsToJson(const ReleaseSettings& settings);

/// Reads the JSON form; fields that are absent keep their defaults. Throws std::invalid_argument
/// naming the field that has the wrong type or an unknown name (a typo must not silently drop
/// a privacy setting).
ReleaseSettings releaseSettingsFromJson(const nlohmann::json& json);

/// Reads a release.json. Throws std::runtime_error naming the file when it cannot be read or
/// parsed, std::invalid_argument for a wrong field.
ReleaseSettings readReleaseSettings(const std::filesystem::path& path);

/// Throws std::invalid_argument (with what to change) for missing inputs or model, eps not
/// positive, or an unknown format.
void validateReleaseSettings(const ReleaseSettings& settings);

/// SHA-256 over the settings that every shard of one release must share (everything but the
/// shard index) and the model file's hash: shards merge, and a run resumes, only when this
/// fingerprint is equal.
std::string releaseSettingsFingerprint(const ReleaseSettings& settings, const std::string& model_sha256);

}  // namespace dpflow
