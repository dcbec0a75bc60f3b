#include "release/release_publisher.h"

#include "image/attribute_dicom_mapping.h"
#include "image/png_io.h"
#include "privacy/mechanism_settings.h"
#include "privacy/utc_time.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace dpflow {

namespace fs = std::filesystem;

std::string releasedImageFormatName(ReleasedImageFormat format) {
    return format == ReleasedImageFormat::Dicom ? "dcm" : "png";
}

DerivedImageDescription releasedDicomDescription(const ReleaseRecord& record, const SourceIdentity& source) {
    DerivedImageDescription description;
    description.derivation_description = releaseDerivationDescription(record);
    description.burned_in_annotation = true;
    description.stored_bits = 16;
    description.header = source.retained_header;
    for (const auto& attribute : record.attributes) {
        const auto element = dicomElementForAttribute(attribute.name);
        if (!element || attribute.protect) continue;
        description.header.emplace_back(element->keyword, dicomValueForAttribute(attribute.name, attribute.released_value));
        if (element->patient_characteristic) description.retain_patient_characteristics = true;
    }
    return description;
}

void requireDicomFormsOfKeptValues(const std::vector<FlowAttribute>& attributes, const AttributePolicy& policy) {
    for (const auto& attribute : attributes) {
        const auto kept = std::find_if(policy.begin(), policy.end(), [&](const AttributeTreatment& t) { return t.name == attribute.name; });
        if (kept == policy.end() || kept->protect || !dicomElementForAttribute(attribute.name)) continue;
        for (const auto& value : attribute.values) dicomValueForAttribute(attribute.name, value);
    }
}

void writeReleasedImage(const Image& image, ReleasedImageFormat format, const ReleaseRecord& record,
                        const SourceIdentity& source, const fs::path& path) {
    switch (format) {
        case ReleasedImageFormat::Png16: writePng(image, path, 16); return;
        case ReleasedImageFormat::Png8: writePng(image, path, 8); return;
        case ReleasedImageFormat::Dicom: writeDerivedDicom(image, path, releasedDicomDescription(record, source)); return;
    }
}

void stampReleaseSource(ReleaseRecord& record, const SourceIdentity& source, const std::string& ledger_path) {
    record.source_path = source.path.string();
    record.source_sha256 = source.sha256;
    record.source_sop_instance_uid = source.sop_instance_uid;
    record.ledger_key = source.ledgerKey();
    record.ledger_path = ledger_path;
    record.time_utc = currentUtcTimestamp();
}

LedgerEntry ledgerEntryFor(const ReleaseRecord& record, const std::string& output) {
    LedgerEntry entry;
    entry.source_key = record.ledger_key;
    entry.mechanism = mechanismName(record.accounting.mechanism);
    entry.epsilon_latent = record.accounting.epsilon_mechanism;
    for (const auto& attribute : record.accounting.attributes)
        if (attribute.protect) entry.epsilon_attributes[attribute.name] = attribute.epsilon;
    entry.epsilon_total = record.accounting.epsilon_total;
    entry.model_hash = record.model_sha256;
    entry.randomness = record.randomness;
    entry.output = output;
    entry.time_utc = record.time_utc;
    return entry;
}

std::string releaseDerivationDescription(const ReleaseRecord& record) {
    std::string text = fmt::format("DP-Flow Studio {}, eps_total {:.6g}", mechanismName(record.accounting.mechanism),
                                   record.accounting.epsilon_total);
    if (record.not_private) text = std::string(kNotPrivateStamp) + " (seeded test randomness): " + text;
    return text;
}

fs::path partialFileBeside(const fs::path& path) {
    return path.parent_path() / fmt::format(".{}.{}.partial", path.filename().string(), ::getpid());
}

BudgetCheck commitRelease(BudgetLedger& ledger, ReleaseRecord& record, bool released, const fs::path& output,
                          const fs::path& record_path) {
    const fs::path partial_image = partialFileBeside(output);
    BudgetCheck check;
    try {
        check = ledger.append(ledgerEntryFor(record, released ? output.string() : "withheld: " + output.filename().string()));
    } catch (...) {
        std::error_code ignored;
        fs::remove(partial_image, ignored);
        throw;
    }
    record.ledger_spent_before = check.spent_before;
    record.ledger_spent_after = check.spent_after;
    record.ledger_warning = check.warning;
    if (released) fs::rename(partial_image, output);

    const fs::path partial_record = partialFileBeside(record_path);
    {
        std::ofstream out(partial_record, std::ios::binary | std::ios::trunc);
        out << releaseRecordToJson(record).dump(2) << '\n';
        if (!out.flush()) throw std::runtime_error(partial_record.string() + ": cannot write the release record");
    }
    fs::rename(partial_record, record_path);
    return check;
}

}  // namespace dpflow
