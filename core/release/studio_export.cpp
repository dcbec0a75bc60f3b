#include "release/studio_export.h"

#include "preview/preview_result.h"
#include "privacy/budget_ledger.h"
#include "release/release_publisher.h"
#include "release/source_identity.h"

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

ReleasedImageFormat releasedFormatOf(StudioExportFormat format) {
    switch (format) {
        case StudioExportFormat::WindowedPng: return ReleasedImageFormat::Png8;
        case StudioExportFormat::Png16: return ReleasedImageFormat::Png16;
        case StudioExportFormat::Dicom: return ReleasedImageFormat::Dicom;
    }
    return ReleasedImageFormat::Png16;
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

    SourceIdentity source;
    if (!record.source_path.empty() && fs::is_regular_file(record.source_path)) {
        source = identifySource(record.source_path);
        if (!record.source_sha256.empty() && record.source_sha256 != source.sha256)
            throw std::runtime_error(record.source_path + ": the file changed after it was opened in the studio; open it again "
                                     "before exporting");
    } else {
        // Moved or gone since it was opened: the hash of the bytes shown still identifies it.
        source.path = record.source_path;
        source.sha256 = record.source_sha256;
    }
    stampReleaseSource(record, source, ledger.path().string());
    if (source.sha256.empty()) record.ledger_key = "unsaved:" + options.output.filename().string();

    if (release.image) {
        const ReleasedImageFormat format = releasedFormatOf(options.format);
        const Image image = options.format == StudioExportFormat::WindowedPng
                                ? windowed(*release.image, options.window_low, options.window_high)
                                : *release.image;
        writeReleasedImage(image, format, record, source, partialFileBeside(options.output));
        record.output_file = options.output.string();
        record.output_format = releasedImageFormatName(format);
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
