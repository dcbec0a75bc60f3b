#pragma once

#include <filesystem>
#include <string>

namespace dpflow {

/// What identifies a source image across releases, for the budget ledger.
struct SourceIdentity {
    std::filesystem::path path;
    std::string sha256;            ///< of the file's bytes
    std::string sop_instance_uid;  ///< DICOM only; empty for PNG or a DICOM without one

    /// "sop:<uid>" for a DICOM with a SOP Instance UID (the same image re-encoded keeps its
    /// budget), else "sha256:<file hash>".
    std::string ledgerKey() const;
};

/// Hashes the file and, for a DICOM, reads its SOP Instance UID. Throws std::runtime_error
/// naming the file when it cannot be read.
SourceIdentity identifySource(const std::filesystem::path& path);

}  // namespace dpflow
