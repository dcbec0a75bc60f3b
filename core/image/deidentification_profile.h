#pragma once

#include <cstdint>
#include <vector>

class DcmItem;

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

/// The Basic Application Level Confidentiality Profile as this product applies it: the one
/// place that says what happens to each identifying attribute (patient, study, physicians,
/// institution, devices, dates and times, UIDs, accession number, comments, other patient IDs).
/// Besides these rows, applyBasicProfile removes every private attribute (odd groups), curves
/// (groups 50xx) and overlays (groups 60xx).
const std::vector<DeidentificationRule>& basicProfileRules();

/// Applies the profile to `dataset` in place, recursing into the items of kept sequences.
/// Attributes the table does not name are kept. Adds nothing: the caller (writeDerivedDicom)
/// records Patient Identity Removed and the method.
void applyBasicProfile(DcmItem& dataset);

}  // namespace dpflow
