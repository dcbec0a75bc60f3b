#pragma once

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
    std::string mechanism = "dpglow";       ///< dpglow, cadp, pixel, dppix
    double epsilon = 0.0;                   ///< eps of the image mechanism
    std::optional<double> l1_radius;        ///< cadp: s (empty: the data-independent default)
    int dppix_cell = 4;                     ///< dppix: cell side b
    int dppix_neighbourhood = 16;           ///< dppix: m
    std::vector<std::string> keep;          ///< attributes disclosed exactly
    std::vector<std::string> protect;       ///< NAME:EPS (EPS 0: drawn from the prior)
    std::string safeguard_reference;        ///< M5 reference manifest; empty: no safeguard
    double safeguard_tau = 0.0;             ///< release only at nearest distance >= tau
    std::string safeguard_policy = "withhold";  ///< withhold or resample
    int safeguard_tries = 1;                ///< resample: at most this many tries
    bool reference_public = false;          ///< the officer asserts R holds only public images
    std::vector<std::string> formats = {"dcm"};  ///< "dcm" and/or "png"
    std::string purpose;                    ///< what the data is released for, quoted in the certificate
    std::string evaluation;                 ///< sweep results CSV quoted at this mechanism and eps; empty: none
    std::optional<double> budget_limit;     ///< per-image eps_total beyond which the ledger warns
    ReleaseShard shard;                     ///< the slice of the inputs this run releases
};

/// JSON form, the format of `--config release.json` (every field optional except those
/// validateReleaseSettings requires): inputs, attributes, model, mechanism, epsilon, l1_radius,
/// dppix_cell, dppix_m, keep, protect, safeguard {reference, tau, policy, tries,
/// reference_public}, formats, purpose, evaluation, budget_limit, shard ("i/N").
nlohmann::json releaseSettingsToJson(const ReleaseSettings& settings);

/// Reads the JSON form; fields that are absent keep their defaults. Throws std::invalid_argument
/// naming the field that has the wrong type or an unknown name (a typo must not silently drop
/// a privacy setting).
ReleaseSettings releaseSettingsFromJson(const nlohmann::json& json);

/// Reads a release.json. Throws std::runtime_error naming the file when it cannot be read or
/// parsed, std::invalid_argument for a wrong field.
ReleaseSettings readReleaseSettings(const std::filesystem::path& path);

/// Throws std::invalid_argument (with what to change) for missing inputs or model, eps not
/// positive, an unknown mechanism or format, or a safeguard without tau.
void validateReleaseSettings(const ReleaseSettings& settings);

/// SHA-256 over the settings that every shard of one release must share (everything but the
/// shard index) and the model file's hash: shards merge, and a run resumes, only when this
/// fingerprint is equal.
std::string releaseSettingsFingerprint(const ReleaseSettings& settings, const std::string& model_sha256);

}  // namespace dpflow
