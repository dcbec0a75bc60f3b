#pragma once

#include "privacy/attribute_policy.h"
#include "privacy/release_accounting.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace dpflow {

/// What the M5 safeguard did for one image.
struct SafeguardOutcome {
    bool configured = false;
    std::string reference_manifest;
    std::size_t reference_images = 0;
    std::string feature_space;      ///< safeguardFeatureSpace(...)
    double tau = 0.0;
    std::string policy;             ///< "withhold" or "resample"
    int tries_allowed = 0;
    std::vector<double> distances;  ///< nearest-neighbour distance of every try, in order
    bool passed = false;            ///< the last try was at distance >= tau
    bool reference_public = false;  ///< R was treated as public (asserted, and holds no released input)
    std::string reference_status;   ///< why R was treated as public or private, in words
};

/// The record of one image's release, written as JSON beside it and shown by the studio. Holds
/// no true value of a protected attribute and no pixel of the source.
struct ReleaseRecord {
    std::string randomness;         ///< RandomSource name
    bool not_private = false;       ///< the source is not a CSPRNG: nothing here is a private release

    std::string source_path;
    std::string source_sha256;
    std::string source_sop_instance_uid;
    std::string ledger_key;

    std::string model_name;         ///< empty for image-space mechanisms without a model
    std::string model_sha256;
    std::string model_calibration_set;

    ReleaseAccounting accounting;   ///< the plan the release used (D, Delta, r, b, eps parts)
    double input_clipped_fraction = 0.0;
    double input_scale_factor = 1.0;       ///< cadp: min(1, s / ||u||_1)
    double output_clipped_fraction = 0.0;
    int dppix_cell = 0;                    ///< dppix only
    int dppix_neighbourhood = 0;           ///< dppix only
    std::vector<ReleasedAttribute> attributes;  ///< c' with each attribute's treatment

    SafeguardOutcome safeguard;
    bool guarantee_holds = true;
    std::string guarantee;          ///< the guarantee in plain words, or why it no longer holds

    bool withheld = false;
    std::string withheld_reason;    ///< why nothing was released (kWithheldBySafeguard, kWithheldNonFiniteDecode); empty when released
    std::string output_file;        ///< empty when withheld
    std::string output_format;      ///< "png" or "dcm"

    std::string ledger_path;
    double ledger_spent_before = 0.0;
    double ledger_spent_after = 0.0;
    std::string ledger_warning;     ///< set when the per-image budget limit is exceeded
    std::string time_utc;
};

/// The stamp carried by everything produced with a non-private randomness source.
extern const char* const kNotPrivateStamp;

/// The reasons a release is withheld, as records, release items and certificates state them.
extern const char* const kWithheldBySafeguard;
extern const char* const kWithheldNonFiniteDecode;

/// JSON form (format "dpflow-release-record", version 1). A record with not_private carries
/// "stamp": "NOT PRIVATE" at its top.
nlohmann::json releaseRecordToJson(const ReleaseRecord& record);

}  // namespace dpflow
