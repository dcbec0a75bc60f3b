#pragma once

#include "image/image.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace dpflow {

/// What became of one file during a scan.
enum class ScanOutcome {
    Read,     ///< a PNG or DICOM that was read; `image` holds it
    Found,    ///< a PNG or DICOM by content (listImages): not decoded yet, so it may still fail
    Skipped,  ///< not an image file by content (e.g. a README); `reason` says why
    Failed,   ///< recognised as PNG/DICOM (or named explicitly) but unreadable; `reason` says why
};

/// One line of a scan report.
struct ScanEntry {
    std::filesystem::path path;
    ScanOutcome outcome = ScanOutcome::Skipped;
    std::string reason;          ///< empty when read
    std::optional<Image> image;  ///< present when read
};

/// Reads every file under `root` (recursively, following no symlinked folders) in a
/// deterministic order: paths sorted by their generic string. Files are recognised by content
/// (detectImageFormat), never by extension; files that are neither PNG nor DICOM are Skipped.
/// Each entry is handed to `visit` as soon as it is read, so a large folder is never held in
/// memory. A `root` that is a file is scanned as that one file, and then a non-image is Failed
/// (the caller asked for it explicitly); a missing root is one Failed entry.
void scanImages(const std::filesystem::path& root, const std::function<void(ScanEntry&&)>& visit);

/// As above, collecting the entries (images included) in a vector.
std::vector<ScanEntry> scanImages(const std::filesystem::path& root);

/// Lists the image files under `root` as scanImages finds them (same order, same recognition by
/// content), reading only each file's first bytes: a study of any size is listed in moments and
/// nothing is decoded. Image files are Found (a damaged one fails only when it is decoded);
/// non-images are Skipped, or Failed when named explicitly; a missing root or an unlistable
/// folder is one Failed entry.
void listImages(const std::filesystem::path& root, const std::function<void(ScanEntry&&)>& visit);

}  // namespace dpflow
