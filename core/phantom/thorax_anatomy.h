#pragma once

#include "phantom/acquisition.h"
#include "phantom/pathology.h"
#include "phantom/patient_identity.h"
#include "phantom/thorax_scene.h"

namespace dpflow {

/// Builds the 3D thorax of `patient` as positioned and breathing in `acquisition` (inspiration,
/// view: AP magnifies the heart and brings the scapulae over the lungs, and raises the
/// clavicles), with the implants and the findings of `pathology`.
ThoraxScene buildThoraxScene(const PatientIdentity& patient, const Acquisition& acquisition,
                             const Pathology& pathology);

}  // namespace dpflow
