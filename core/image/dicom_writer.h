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

/// What a derived (privatized) image says about its own making.
struct DerivedImageDescription {
    std::string derivation_description;  ///< e.g. "DP-GLOW latent Laplace, eps=1e5"
    bool burned_in_annotation = false;   ///< whether text may remain in the pixels
    int stored_bits = 12;                ///< 8..16
};

/// Writes a derived image: new Study/Series/SOP Instance UIDs, Image Type DERIVED, the
/// derivation description, and a header de-identified by the PS3.15 Annex E Basic Application
/// Level Confidentiality Profile (see deidentification_profile.h). When `source_dicom` is not
/// empty, non-identifying attributes are carried over from it. Every DICOM the product writes
/// from a derived image goes through this function. Throws ImageError.
void writeDerivedDicom(const Image& image, const std::filesystem::path& path,
                       const DerivedImageDescription& description,
                       const std::filesystem::path& source_dicom = {});

}  // namespace dpflow
