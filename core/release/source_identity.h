#pragma once

#include "image/dicom_writer.h"
#include "image/image.h"

#include <filesystem>
#include <string>

namespace dpflow {

/// What a release needs to know of a source file besides its pixels: what identifies it across
/// releases (for the budget ledger) and the only part of its header a release may carry.
struct SourceIdentity {
    std::filesystem::path path;
    std::string sha256;            ///< of the file's bytes
    std::string sop_instance_uid;  ///< DICOM only; empty for PNG or a DICOM without one
    DicomAttributes retained_header;  ///< DICOM only: the allowlisted elements (retained_source_header.h)

    /// "sop:<uid>" for a DICOM with a SOP Instance UID (the same image re-encoded keeps its
    /// budget), else "sha256:<file hash>".
    std::string ledgerKey() const;
};

/// A source image read once: its pixels and its identity come from the same bytes, so the
/// recorded SHA-256 is of exactly the bytes that were decoded.
struct SourceFile {
    Image image;
    SourceIdentity identity;
};

/// Reads `path` in one read: the image (readImageBytes), the SHA-256 of those bytes and, for a
/// DICOM, the SOP Instance UID and the allowlisted header elements parsed from the same bytes.
/// Throws ImageError naming the file when it cannot be read or decoded.
SourceFile readSource(const std::filesystem::path& path);

/// Throws std::runtime_error naming the file when `read` (readSource at release time) is not
/// the file `listed` (identifySource when the batch was listed) was: its bytes changed between.
void requireUnchangedSource(const SourceIdentity& listed, const SourceIdentity& read);

/// Hashes the file and, for a DICOM, reads its SOP Instance UID and allowlisted header elements
/// (one read of the header, stopping before the pixel data). Throws std::runtime_error naming
/// the file when it cannot be read.
SourceIdentity identifySource(const std::filesystem::path& path);

}  // namespace dpflow
