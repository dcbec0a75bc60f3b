#pragma once

// What of a source DICOM's header a released (privatized) image may carry: an ALLOWLIST. A
// denylist (strip what the PS3.15 profile names, keep the rest) carried a protected attribute's
// true value in ViewPosition; with an allowlist an element survives only because someone
// decided it identifies nobody and states no model attribute.

#include "image/dicom_writer.h"

#include <string>
#include <vector>

class DcmItem;

namespace dpflow {

/// DICOM keywords of the source elements a released image keeps: Modality and
/// BodyPartExamined. Neither identifies a patient or states an attribute a model is
/// conditioned on (sex, view, age, a finding); everything else of the source is dropped. The
/// released values of kept attributes are written separately (release_publisher.h).
const std::vector<std::string>& retainedSourceElements();

/// The allowlisted elements present with a value in `dataset` (top level only), in the order of
/// retainedSourceElements().
DicomAttributes retainedSourceHeader(DcmItem& dataset);

}  // namespace dpflow
