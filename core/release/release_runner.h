#pragma once

#include "release/release_settings.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

namespace dpflow {

/// How a release run reports itself, beyond its settings.
struct ReleaseRunOptions {
    std::string software_version;  ///< quoted in the certificate (the CLI passes DPFLOW_VERSION)
    /// Called after each image's ledger entry is on disk and before its files are published
    /// (the most delicate moment of a crash), with the number of images committed so far in
    /// this run. The CLI's hidden --test-kill-after uses it to kill the process there, so tests
    /// and the evidence can show a resume. Empty: nothing is called.
    std::function<void(std::size_t committed)> after_ledger_append;
};

/// What a run did. `certificate` is the JSON written to certificate.json.
struct ReleaseRunResult {
    std::size_t inputs_in_shard = 0;  ///< distinct source images of this shard
    std::size_t already_done = 0;     ///< released or withheld by an earlier, interrupted run of this folder
    std::size_t recovered = 0;        ///< committed to the ledger by the interrupted run and published now
    std::size_t duplicates = 0;       ///< inputs naming a source already listed (released once only)
    int released = 0;                 ///< by this run
    int withheld = 0;                 ///< by this run
    int failed = 0;                   ///< inputs that could not be released (each reported in the log and the audit trail)
    nlohmann::json certificate;
};

/// Runs (or resumes) the release of `settings` into `out`: every input of the shard is read,
/// privatized with fresh noise from the OS CSPRNG (Privatizer), and published under a new
/// random id as images/<id>.dcm|png with records/<id>.json; then the release manifest,
/// certificate.json, the audit trail (audit.jsonl: started or resumed, each image released,
/// withheld or failed, finished) and the budget ledger (privacy-ledger.jsonl) are complete.
///
/// Crash safety: per image, the files are written to temporaries, a "pending" line goes to the
/// state file, the ledger entry is appended (the commit point), the temporaries are renamed and
/// a "done" line follows; every line is written and flushed in one go. A re-run of the same
/// settings in the same folder skips what is done, publishes what a killed run had committed
/// (without drawing its noise again) and discards what it had not, so no image is released
/// twice. A folder holding another release's state is refused (std::invalid_argument).
///
/// Per-image failures are logged (`log`, with progress) and counted, never thrown. Throws
/// std::invalid_argument for settings the model cannot take and std::runtime_error for an
/// unusable model, ledger, reference set or output folder (or one another run is writing).
ReleaseRunResult runRelease(const ReleaseSettings& settings, const std::filesystem::path& out,
                            const ReleaseRunOptions& options, std::ostream& log);

}  // namespace dpflow
