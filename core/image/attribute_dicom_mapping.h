#pragma once

// Which DICOM element states a model attribute, and how its values are spelled there. The one
// table the product uses both ways: to read a film's true attribute values from its header, and
// to write a released value into a released header (and to know which elements to leave out
// when the attribute is protected).

#include <optional>
#include <string>
#include <vector>

namespace dpflow {

/// How one model attribute is stated in a DICOM header.
struct AttributeDicomElement {
    std::string attribute;       ///< the model's attribute (manifest column) name, e.g. "sex"
    std::string keyword;         ///< the DICOM keyword, e.g. "PatientSex"
    /// Whether the element is a patient characteristic that the PS3.15 Basic Profile empties
    /// and that only the Retain Patient Characteristics Option (113108) may keep.
    bool patient_characteristic = false;
};

/// The attributes with a DICOM element: "sex" (PatientSex), "view" (ViewPosition) and "age"
/// (PatientAge). Other attributes (a label, a finding) have no standard element and are never
/// written into a header.
const std::vector<AttributeDicomElement>& attributeDicomElements();

/// The element that states `attribute`, if it has one.
std::optional<AttributeDicomElement> dicomElementForAttribute(const std::string& attribute);

/// Every element that can state `attribute`'s value besides the one above, in DICOM keywords:
/// for "view", ViewCodeSequence and PatientOrientation (which differs between PA and AP). A
/// released header never copies these from a source.
std::vector<std::string> elementsDisclosingAttribute(const std::string& attribute);

/// The DICOM spelling of a model value: sex "M"/"F"/"O" (also "male", "female", "other" in any
/// case), view "AP"/"PA"/"LL"/"RL" (any case; the ViewPosition defined terms of a frontal or lateral chest film), age in whole years 0..999 as "045Y".
/// Throws std::invalid_argument naming the attribute and value when it has no DICOM form, so a
/// value is never written in a form a reader would misread.
std::string dicomValueForAttribute(const std::string& attribute, const std::string& model_value);

/// The model value that a header value states: the entry of `model_values` whose DICOM
/// spelling equals `dicom_value` (case-insensitive, surrounding spaces ignored); for "age" the
/// header's "045Y" as whole years when the model's values are numbers of years. Empty when
/// the header value is empty or matches none of the model's values: the caller then says
/// "unknown", never guesses.
std::optional<std::string> attributeValueFromDicom(const std::string& attribute, const std::string& dicom_value,
                                                   const std::vector<std::string>& model_values);

}  // namespace dpflow
