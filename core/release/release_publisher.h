#pragma once

// How one privatized image is published, for every path that releases one (`dpflow privatize`,
// `dpflow release`, the studio's export): the image file in its format, its DICOM header, and
// the order that makes the budget ledger the commit point (image to a partial name, ledger
// entry, rename, record).

#include "image/dicom_writer.h"
#include "image/image.h"
#include "flow/flow_config.h"
#include "privacy/attribute_policy.h"
#include "privacy/budget_ledger.h"
#include "privacy/release_record.h"
#include "release/source_identity.h"

#include <filesystem>
#include <string>

namespace dpflow {

/// File formats of a released image.
enum class ReleasedImageFormat {
    Png16,  ///< 16-bit PNG of the display values
    Png8,   ///< 8-bit PNG (the studio writes what its pane shows, windowed by the caller)
    Dicom,  ///< de-identified derived DICOM, 16 stored bits
};

/// "png" or "dcm", as records and release manifests name the format.
std::string releasedImageFormatName(ReleasedImageFormat format);

/// What a released DICOM says: the derivation description of `record`, burned-in annotation
/// YES (differential privacy bounds what the pixels disclose; at large eps text stays legible),
/// and a header of exactly these elements: the allowlisted elements of the source
/// (`source.retained_header`, retained_source_header.h) and, for each KEPT attribute with a
/// DICOM element (attribute_dicom_mapping.h), its released value, patient characteristics
/// under the Retain Patient Characteristics Option. A PROTECTED attribute's element is not
/// written at all: its released value is a randomized draw that the record states with its
/// eps_k, and a header value would be read as the patient's. Throws std::invalid_argument when
/// a kept value has no DICOM form.
DerivedImageDescription releasedDicomDescription(const ReleaseRecord& record, const SourceIdentity& source);

/// Checks, before any image is privatized, that every value of every KEPT attribute of
/// `attributes` with a DICOM element has a DICOM form, so a DICOM release cannot fail image by
/// image after its noise was drawn. Throws std::invalid_argument naming the value.
void requireDicomFormsOfKeptValues(const std::vector<FlowAttribute>& attributes, const AttributePolicy& policy);

/// Writes `image` to `path` in `format` (a DICOM with releasedDicomDescription). Throws
/// ImageError naming the file when it cannot be written.
void writeReleasedImage(const Image& image, ReleasedImageFormat format, const ReleaseRecord& record,
                        const SourceIdentity& source, const std::filesystem::path& path);

/// Fills the record's source (path, SHA-256, SOP Instance UID), its ledger key and path, and
/// the release time: what every release path records about where an image came from.
void stampReleaseSource(ReleaseRecord& record, const SourceIdentity& source, const std::string& ledger_path);

/// The ledger entry that commits `record`: its source key, mechanism, eps parts, eps_total,
/// model hash, randomness and time, released as `output` ("withheld: NAME" when nothing was).
LedgerEntry ledgerEntryFor(const ReleaseRecord& record, const std::string& output);

/// The DICOM derivation description of a release: mechanism and eps_total, stamped NOT PRIVATE
/// for seeded test randomness. It never claims burned-in text is gone.
std::string releaseDerivationDescription(const ReleaseRecord& record);

/// Where a file is written before it is committed: `.<name>.<pid>.partial` beside `path` (the
/// process id keeps two runs writing into one folder apart).
std::filesystem::path partialFileBeside(const std::filesystem::path& path);

/// Commits one release whose image (if any) was written to partialFileBeside(output): appends
/// ledgerEntryFor(record, ...) to `ledger` (on failure the partial image is removed and the
/// error rethrown, so nothing is published without its ledger entry), copies the ledger's
/// figures into the record, renames the image to `output`, and writes the record as JSON to
/// `record_path` (via a partial file and a rename). `released` false means the safeguard
/// withheld it: the ledger names it "withheld: <output's file name>" and no image is renamed.
/// Returns the ledger's check; throws std::runtime_error naming a file that cannot be written.
BudgetCheck commitRelease(BudgetLedger& ledger, ReleaseRecord& record, bool released, const std::filesystem::path& output,
                          const std::filesystem::path& record_path);

}  // namespace dpflow
