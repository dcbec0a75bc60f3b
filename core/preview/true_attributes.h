#pragma once

// A film's true values of the model's attributes, as the studio encodes it: from the study's
// manifest, else from the DICOM header, else unknown. Never a silent default: an unknown value
// is shown as unknown, previewed under the model's most frequent training value (said on the
// pane) and blocks export until the user sets it.

#include "flow/flow_config.h"
#include "flow/model_card.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dpflow {

/// One attribute's true value and where it came from.
struct TrueAttribute {
    std::string name;
    std::optional<std::string> value;  ///< one of the model's values; empty when nothing says it
    std::string source;                ///< "manifest", "DICOM header PatientSex", ...; empty when unknown
};

/// For each of `card`'s attributes: the value of the manifest row's column of that name when it
/// is one of the model's values; else the value stated by the DICOM header of `file`
/// (attribute_dicom_mapping.h: PatientSex for "sex", ViewPosition for "view", PatientAge for
/// "age", mapped to the model's own spelling); else unknown. `manifest_row` may be empty (the
/// film is not in a manifest).
std::vector<TrueAttribute> resolveTrueAttributes(const ModelCard& card, const std::map<std::string, std::string>& manifest_row,
                                                 const std::filesystem::path& file);

/// The values to encode under: the known ones, and for each unknown one the card's most
/// frequent training value (ModelCard::mostFrequentValue).
AttributeValues encodingValues(const std::vector<TrueAttribute>& attributes, const ModelCard& card);

/// The names of the unknown attributes, in model order.
std::vector<std::string> unknownAttributes(const std::vector<TrueAttribute>& attributes);

}  // namespace dpflow
