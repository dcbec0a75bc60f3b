#include "preview/studio_export.h"

#include "image/dicom_writer.h"
#include "image/image_reader.h"
#include "image/png_io.h"
#include "preview/preview_result.h"
#include "privacy/budget_ledger.h"
#include "privacy/release_publication.h"
#include "privacy/source_identity.h"
#include "privacy/utc_time.h"

#include <algorithm>
#include <stdexcept>

namespace dpflow {
namespace {

namespace fs = std::filesystem;

Image windowed(const Image& image, float low, float high) {
    Image shown = image;
    for (float& value : shown.pixels) value = std::clamp((value - low) / (high - low), 0.0f, 1.0f);
    return shown;
}

}  // namespace

StudioExportResult writeStudioExport(PrivatizedImage release, const StudioExportOptions& options) {
    if (release.image && isPreviewImage(*release.image))
        throw std::invalid_argument("a preview image is not a release: export through PreviewSession::exportRelease");
    if (options.format == StudioExportFormat::WindowedPng && !(options.window_high > options.window_low))
        throw std::invalid_argument("the display window is empty: its high end must lie above its low end");
    ReleaseRecord& record = release.record;
    const fs::path folder = options.output.parent_path().empty() ? fs::path(".") : options.output.parent_path();
    fs::create_directories(folder);
    BudgetLedger ledger(options.ledger.empty() ? folder / "privacy-ledger.jsonl" : options.ledger);

    if (!record.source_path.empty() && fs::is_regular_file(record.source_path)) {
        stampReleaseSource(record, record.source_path, identifySource(record.source_path), ledger.path().string());
    } else {
        record.ledger_key = "unsaved:" + options.output.filename().string();
        record.ledger_path = ledger.path().string();
        record.time_utc = currentUtcTimestamp();
    }

    if (release.image) {
        const fs::path partial = partialFileBeside(options.output);
        switch (options.format) {
            case StudioExportFormat::WindowedPng:
                writePng(windowed(*release.image, options.window_low, options.window_high), partial, 8);
                break;
            case StudioExportFormat::Png16:
                writePng(*release.image, partial, 16);
                break;
            case StudioExportFormat::Dicom:
                writeDerivedDicom(*release.image, partial, DerivedImageDescription{releaseDerivationDescription(record), true, 16},
                                  options.source_dicom);
                break;
        }
        record.output_file = options.output.string();
        record.output_format = options.format == StudioExportFormat::Dicom ? "dcm" : "png";
    }
    record.withheld = !release.image;

    StudioExportResult result;
    result.record = fs::path(options.output).replace_extension(".json");
    result.ledger_warning = commitRelease(ledger, record, release.image.has_value(), options.output, result.record).warning;
    if (release.image) result.image = options.output;
    result.withheld_reason = record.withheld_reason;
    return result;
}

}  // namespace dpflow
