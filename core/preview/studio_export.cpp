#include "preview/studio_export.h"

#include "image/dicom_writer.h"
#include "image/image_reader.h"
#include "image/png_io.h"
#include "preview/preview_result.h"
#include "privacy/budget_ledger.h"
#include "privacy/source_identity.h"
#include "privacy/utc_time.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace dpflow {
namespace {

namespace fs = std::filesystem;

fs::path temporaryBeside(const fs::path& path) {
    return path.parent_path() / fmt::format(".{}.{}.partial", path.filename().string(), ::getpid());
}

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
        const SourceIdentity identity = identifySource(record.source_path);
        record.source_sha256 = identity.sha256;
        record.source_sop_instance_uid = identity.sop_instance_uid;
        record.ledger_key = identity.ledgerKey();
    } else {
        record.ledger_key = "unsaved:" + options.output.filename().string();
    }
    record.ledger_path = ledger.path().string();
    record.time_utc = currentUtcTimestamp();

    const fs::path temporary = temporaryBeside(options.output);
    if (release.image) {
        switch (options.format) {
            case StudioExportFormat::WindowedPng:
                writePng(windowed(*release.image, options.window_low, options.window_high), temporary, 8);
                break;
            case StudioExportFormat::Png16:
                writePng(*release.image, temporary, 16);
                break;
            case StudioExportFormat::Dicom: {
                std::string description = fmt::format("DP-Flow Studio {}, eps_total {:.6g}",
                                                      mechanismName(record.accounting.mechanism), record.accounting.epsilon_total);
                if (record.not_private) description = std::string(kNotPrivateStamp) + " (seeded test randomness): " + description;
                // Burned-in text may stay legible at large eps, so the header never claims otherwise.
                writeDerivedDicom(*release.image, temporary, DerivedImageDescription{description, true, 16}, options.source_dicom);
                break;
            }
        }
        record.output_file = options.output.string();
        record.output_format = options.format == StudioExportFormat::Dicom ? "dcm" : "png";
    }
    record.withheld = !release.image;

    LedgerEntry entry;
    entry.source_key = record.ledger_key;
    entry.mechanism = mechanismName(record.accounting.mechanism);
    entry.epsilon_latent = record.accounting.epsilon_mechanism;
    for (const auto& attribute : record.accounting.attributes)
        if (attribute.protect) entry.epsilon_attributes[attribute.name] = attribute.epsilon;
    entry.epsilon_total = record.accounting.epsilon_total;
    entry.model_hash = record.model_sha256;
    entry.randomness = record.randomness;
    entry.output = release.image ? options.output.string() : "withheld: " + options.output.filename().string();
    entry.time_utc = record.time_utc;
    BudgetCheck check;
    try {
        check = ledger.append(entry);
    } catch (...) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        throw;
    }
    record.ledger_spent_before = check.spent_before;
    record.ledger_spent_after = check.spent_after;
    record.ledger_warning = check.warning;

    StudioExportResult result;
    if (release.image) {
        fs::rename(temporary, options.output);
        result.image = options.output;
    }
    result.record = fs::path(options.output).replace_extension(".json");
    const fs::path record_temporary = temporaryBeside(result.record);
    {
        std::ofstream out(record_temporary, std::ios::binary | std::ios::trunc);
        out << releaseRecordToJson(record).dump(2) << '\n';
        if (!out.flush()) throw std::runtime_error(record_temporary.string() + ": cannot write the release record");
    }
    fs::rename(record_temporary, result.record);
    result.ledger_warning = check.warning;
    return result;
}

}  // namespace dpflow
