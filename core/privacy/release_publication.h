#pragma once

// How one privatized image becomes a release on disk, shared by `dpflow privatize` and the
// studio's export (and, for its ledger entry and DICOM description, by `dpflow release`): the
// image is written beside its destination first, the budget ledger entry is the commit point,
// and only then does the image take its name and the record appear.

#include "privacy/budget_ledger.h"
#include "privacy/release_record.h"
#include "privacy/source_identity.h"

#include <filesystem>
#include <string>

namespace dpflow {

/// Fills the record's source (path, SHA-256, SOP Instance UID), its ledger key and path, and
/// the release time: what every release path records about where an image came from.
void stampReleaseSource(ReleaseRecord& record, const std::filesystem::path& source, const SourceIdentity& identity,
                        const std::string& ledger_path);

/// The ledger entry that commits `record`: its source key, mechanism, eps parts, eps_total,
/// model hash, randomness and time, released as `output` ("withheld: NAME" when nothing was).
LedgerEntry ledgerEntryFor(const ReleaseRecord& record, const std::string& output);

/// The DICOM derivation description of a release: mechanism and eps_total, stamped NOT PRIVATE
/// for seeded test randomness. It never claims burned-in text is gone: differential privacy
/// bounds what the pixels disclose, and at large eps such text stays legible.
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
