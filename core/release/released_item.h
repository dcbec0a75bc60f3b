#pragma once

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <string>
#include <vector>

namespace dpflow {

/// One source image's outcome in a release, as the run's state file keeps it and the
/// certificate and release manifest list it.
struct ReleasedItem {
    std::string id;                 ///< new identifier from the CSPRNG, unrelated to the source
    std::string source_key;         ///< ledger key of the source (state file only, never published)
    bool withheld = false;          ///< nothing published but the record (safeguard, or a decode that was not finite)
    std::string withheld_reason;    ///< why, in words; empty when released
    std::vector<std::string> files; ///< relative to the release folder: images, then the record
    std::map<std::string, std::string> kept_attributes;  ///< released values of the kept attributes only
    double epsilon_total = 0.0;     ///< eps accounted for this image (ledger entry)
    std::string epsilon_parts;      ///< ReleaseAccounting::partsText()
};

/// JSON form in the state file (with source_key) and in the certificate (without).
nlohmann::json releasedItemToJson(const ReleasedItem& item, bool with_source_key);

/// Reads the JSON form. Throws std::invalid_argument naming a missing or malformed field.
ReleasedItem releasedItemFromJson(const nlohmann::json& json);

}  // namespace dpflow
