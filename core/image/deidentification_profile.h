#pragma once

#include <cstdint>
#include <vector>

class DcmTagKey;

namespace dpflow {

/// Actions of DICOM PS3.15 Table E.1-1. Where the profile allows a choice (e.g. X/Z/D) the
/// table below fixes the most conservative one that keeps a Secondary Capture image valid:
/// X where the attribute is optional, Z where it is Type 2, D only where a value is required.
enum class DeidentificationAction {
    Dummy,   ///< D: replace with a non-identifying dummy value of the same VR
    Zero,    ///< Z: replace with a zero-length value
    Remove,  ///< X: remove the attribute (and its whole content, for sequences)
    Keep,    ///< K: keep the attribute as it is
    NewUid,  ///< U: replace with a new UID, the same new UID for the same old one within a file
};

/// One row of the profile: which attribute, what happens to it.
struct DeidentificationRule {
    uint16_t group;
    uint16_t element;
    const char* keyword;  ///< DICOM keyword, for reports and test messages
    DeidentificationAction action;
};

/// The Basic Application Level Confidentiality Profile: what happens to each identifying
/// attribute (patient, study, physicians, institution, devices, dates and times, UIDs,
/// accession number, comments, other patient IDs). A released image is built from an allowlist
/// (retained_source_header.h), never from a source header minus these rows; the writer uses
/// the table to refuse any header element it removes or empties (writeDerivedDicom), and the
/// tests check the allowlist against it.
const std::vector<DeidentificationRule>& basicProfileRules();

/// The profile's row for `tag`, or nullptr when the profile does not name it.
const DeidentificationRule* basicProfileRule(const DcmTagKey& tag);

/// Whether `tag` is one of the patient characteristics (PatientSex, PatientAge, PatientSize,
/// PatientWeight) that the Retain Patient Characteristics Option (PS3.15 E.3.4, code 113108)
/// allows a de-identified header to keep.
bool isPatientCharacteristic(const DcmTagKey& tag);

}  // namespace dpflow
