#pragma once

#include "privacy/privatizer.h"

#include <filesystem>
#include <string>

namespace dpflow {

/// How the studio writes the current privatized image.
enum class StudioExportFormat {
    WindowedPng,  ///< 8-bit PNG of what the pane shows: the display window [low, high] stretched to 0..255
    Png16,        ///< 16-bit PNG of the display values
    Dicom,        ///< de-identified DICOM through writeReleasedImage (released values only, 16 stored bits)
};

/// Where and how to write one studio export.
struct StudioExportOptions {
    std::filesystem::path output;        ///< image file to write; the record goes beside it as <stem>.json
    StudioExportFormat format = StudioExportFormat::Png16;
    float window_low = 0.0f;             ///< WindowedPng: display value shown black
    float window_high = 1.0f;            ///< WindowedPng: display value shown white (> window_low)
    std::filesystem::path ledger;        ///< empty: privacy-ledger.jsonl beside the output
};

/// What an export wrote.
struct StudioExportResult {
    std::filesystem::path image;   ///< empty when the image was withheld
    std::string withheld_reason;   ///< why, when withheld (the record's withheld_reason)
    std::filesystem::path record;  ///< the JSON release record
    std::string ledger_warning;    ///< the per-image budget warning, if any
};

/// Publishes `release` (from PreviewSession::exportRelease, fresh secure noise) through the
/// release publisher (release_publisher.h), in the order of the release path: image to a temporary name, ledger entry appended (keyed by the source's
/// identity, read from the record's source file), image renamed into place, then the record. A
/// DICOM's header holds the source's allowlisted elements and the released values of kept
/// attributes only, as `dpflow privatize` and `dpflow release` write it. Refuses a preview image
/// (std::invalid_argument): previews reuse one noise draw and are never releases. Throws
/// std::runtime_error / ImageError naming the file when writing fails.
StudioExportResult writeStudioExport(PrivatizedImage release, const StudioExportOptions& options);

}  // namespace dpflow
