#pragma once

#include "phantom/patient_identity.h"

#include <cstdint>

namespace dpflow {

enum class ViewPosition { pa, ap };
const char* toString(ViewPosition view);  ///< "PA" / "AP" (DICOM ViewPosition)

/// How one radiograph of a patient was taken: everything that differs between two images of
/// the same person. Angles in degrees, lengths in millimetres at the detector.
struct Acquisition {
    ViewPosition view = ViewPosition::pa;  ///< AP magnifies the heart and puts the scapulae over the lungs
    bool computed_radiography = false;     ///< modality CR (cassette) rather than DX (flat panel)
    double field_of_view_mm = 400;         ///< detector width imaged (follows the body size)
    double shift_x_mm = 0;                 ///< patient offset on the detector
    double shift_y_mm = 0;
    double rotation_deg = 0;               ///< in-plane tilt of the patient
    double scale = 1.0;                    ///< magnification (distance to the detector)
    double inspiration = 0;                ///< -1 shallow .. +1 deep breath: dome level, lung height
    double photons_per_mm2 = 8000;         ///< unattenuated fluence: sets the quantum noise
    double scatter_fraction = 0.4;         ///< scatter-to-primary ratio reaching the detector
    double detector_blur_mm = 0.45;        ///< sigma of the detector's point spread
    double tone_gamma = 1.0;               ///< processing curve exponent (contrast preference)
    double edge_enhancement = 0.5;         ///< unsharp-mask gain of the processing
    double gastric_bubble = 1.0;           ///< size of the stomach's air bubble (0: none)
    char marker_side = 'L';                ///< lead marker letter, 'L' or 'R'
    double marker_u = 0.85;                ///< marker top-left, fraction of image width
    double marker_v = 0.1;                 ///< marker top-left, fraction of image height
};

/// Draws the acquisition of image `image_index` of `patient`. Deterministic; independent of
/// how many images the patient has.
Acquisition drawAcquisition(std::uint64_t study_seed, const PatientIdentity& patient, int image_index);

}  // namespace dpflow
