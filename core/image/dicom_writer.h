#pragma once

#include "image/image.h"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace dpflow {

/// DICOM attributes to place in a written file, by DCMTK tag keyword (e.g. "PatientName")
/// and value in DICOM string form. Used for synthetic originals (full patient header).
using DicomAttributes = std::vector<std::pair<std::string, std::string>>;

/// Writes `image` as an original (not derived) secondary-capture/DX DICOM file: stored values
/// round(pixel * (2^stored_bits - 1)), MONOCHROME2, explicit VR little endian, a full-range
/// window, and the given attributes. Throws ImageError.
void writeDicom(const Image& image, const std::filesystem::path& path, int stored_bits,
                const DicomAttributes& attributes);

/// What a derived (privatized) image says about its own making, and the only header elements
/// it carries besides those the writer sets.
struct DerivedImageDescription {
    std::string derivation_description;  ///< e.g. "DP-GLOW latent Laplace, eps=1e5"
    bool burned_in_annotation = false;   ///< whether text may remain in the pixels
    int stored_bits = 12;                ///< 8..16
    /// Released header elements by keyword: the allowlisted source elements
    /// (retained_source_header.h) and the released values of kept attributes. Nothing else of
    /// any source is written.
    DicomAttributes header;
    /// The header holds patient characteristics (PatientSex, PatientAge) under the PS3.15
    /// Retain Patient Characteristics Option, which is then listed in (0012,0064).
    bool retain_patient_characteristics = false;
};

/// Writes a derived image built from nothing but `description` and the pixels: new Study/
/// Series/SOP Instance UIDs, Image Type DERIVED, the derivation description, the empty Type 2
/// patient and study elements, and the de-identification method (PS3.15 Basic Profile, plus
/// the Retain Patient Characteristics Option when set). Every DICOM the product writes from a
/// derived image goes through this function. Throws ImageError for a header element that the
/// Basic Profile removes or empties (deidentification_profile.h), unless it is a patient
/// characteristic retained under the option: a caller cannot put identity back in.
void writeDerivedDicom(const Image& image, const std::filesystem::path& path,
                       const DerivedImageDescription& description);

}  // namespace dpflow
