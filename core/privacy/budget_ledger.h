#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace dpflow {

/// One release of one source image, as the ledger records it.
struct LedgerEntry {
    std::string source_key;   ///< "sha256:<hex of the source file>" or "sop:<SOP Instance UID>"
    std::string mechanism;    ///< e.g. "dpglow"
    double epsilon_latent = 0.0;                        ///< eps of the latent (or pixel) mechanism
    std::map<std::string, double> epsilon_attributes;  ///< eps_k of each protected attribute
    double epsilon_total = 0.0;  ///< eps_latent + sum of eps_k (times n under a safeguard resampling up to n times)
    std::string model_hash;      ///< SHA-256 of the model file; empty for image-space mechanisms
    std::string randomness;      ///< the RandomSource name; "NOT PRIVATE" sources are recorded as such
    std::string output;          ///< the file released
    std::string time_utc;        ///< ISO 8601, filled in by BudgetLedger::append when empty
};

/// What releasing once more would do to a source image's budget.
struct BudgetCheck {
    double spent_before = 0.0;  ///< sum of eps_total already released for this source
    double spent_after = 0.0;   ///< spent_before + the new release's eps_total
    bool exceeds_limit = false; ///< spent_after is above the configured per-image limit
    std::string warning;        ///< a sentence for the user when exceeds_limit, else empty
};

/// The budget ledger of docs/privacy-semantics.md: an append-only file with one JSON object per
/// line and per release. Releasing the same source again composes (eps adds up); past a
/// per-image limit the ledger warns. Each append is one write(2) of a whole line followed by
/// fsync, so a killed run leaves every earlier line intact; a torn last line (power loss during
/// the write) is reported in loadWarnings(), ignored, and cut off before the next append. The
/// release path writes the ledger entry before it publishes the image, so a torn entry never
/// belongs to a published image.
class BudgetLedger {
public:
    /// Opens (or will create) the ledger at `path` and loads what it holds. `per_image_limit`
    /// is the eps_total one source may accumulate before warnings (infinity: never warn).
    /// Throws std::runtime_error for a line in the middle of the file that is not valid JSON.
    explicit BudgetLedger(std::filesystem::path path, double per_image_limit = 1.0 / 0.0);

    /// Total eps released so far for `source_key`.
    double spent(const std::string& source_key) const;

    /// The effect of a new release of `epsilon_total` on `source_key`, without recording it.
    BudgetCheck check(const std::string& source_key, double epsilon_total) const;

    /// Records a release durably (written and flushed to disk before returning) and returns
    /// the check made against the state before it. Throws std::runtime_error on I/O failure.
    BudgetCheck append(LedgerEntry entry);

    const std::vector<LedgerEntry>& entries() const { return entries_; }
    /// Non-fatal findings of loading, e.g. an incomplete last line.
    const std::vector<std::string>& loadWarnings() const { return load_warnings_; }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
    double per_image_limit_;
    std::vector<LedgerEntry> entries_;
    std::map<std::string, double> spent_;
    std::vector<std::string> load_warnings_;
    long long torn_tail_offset_ = -1;  ///< where an incomplete last line starts, or -1
};

}  // namespace dpflow
