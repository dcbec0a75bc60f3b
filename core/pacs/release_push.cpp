#include "pacs/release_push.h"

#include "pacs/pacs_connection.h"
#include "pacs/pacs_error.h"
#include "release/audit_trail.h"
#include "release/durable_files.h"
#include "release/release_certificate.h"
#include "release/release_layout.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>

namespace dpflow {
namespace fs = std::filesystem;
namespace {

void audit(const fs::path& release_dir, nlohmann::json event) {
    appendAuditEvent(release_dir / release_layout::kAudit, std::move(event));
}

std::set<std::string> deliveredTo(const fs::path& release_dir, const std::string& peer) {
    std::set<std::string> delivered;
    for (const auto& line : readJsonLines(release_dir / release_layout::kAudit)) {
        if (line.value("event", "") == "pushed" && line.value("peer", "") == peer) delivered.insert(line.value("file", ""));
    }
    return delivered;
}

std::vector<std::string> releasedDicomFiles(const fs::path& release_dir) {
    std::vector<std::string> files;
    const fs::path images = release_dir / release_layout::kImages;
    if (!fs::is_directory(images)) return files;
    for (const auto& entry : fs::directory_iterator(images)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && entry.path().extension() == ".dcm" && name[0] != '.') {
            files.push_back(std::string(release_layout::kImages) + "/" + name);
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

PushSummary pushRelease(const fs::path& release_dir, const PushOptions& options) {
    ReleaseFolderLock lock(release_dir);
    const ReleaseVerification verification = verifyRelease(release_dir);
    if (!verification.problems.empty()) {
        throw std::runtime_error(release_dir.string() + ": the release does not verify, so nothing is pushed: " +
                                 verification.problems.front());
    }
    const std::string peer = options.peer.describe();
    const auto files = releasedDicomFiles(release_dir);
    const auto delivered = deliveredTo(release_dir, peer);
    PushSummary summary;
    summary.instances = files.size();
    std::vector<std::string> to_push;
    for (const auto& file : files) {
        if (delivered.count(file) != 0) {
            ++summary.delivered_before;
        } else {
            to_push.push_back(file);
        }
    }
    if (to_push.empty()) return summary;

    std::vector<StorageSyntax> syntaxes;
    for (const auto& file : to_push) syntaxes.push_back(storageSyntaxOf(release_dir / file));
    std::unique_ptr<PacsConnection> connection =
        std::make_unique<PacsConnection>(options.peer, options.our_ae_title, PacsService::storage, syntaxes);
    audit(release_dir, {{"event", "push_started"}, {"peer", peer}, {"to_push", to_push.size()},
                        {"delivered_before", summary.delivered_before}});
    PushProgress progress;
    progress.to_push = to_push.size();
    std::string unreachable;  // once the peer cannot be reached again, the rest is not tried
    for (const auto& file : to_push) {
        InstanceOutcome outcome{false, unreachable};
        for (int attempt = 1; unreachable.empty() && attempt <= std::max(1, options.attempts) && !outcome.ok; ++attempt) {
            try {
                if (!connection) {
                    connection = std::make_unique<PacsConnection>(options.peer, options.our_ae_title, PacsService::storage, syntaxes);
                }
                outcome = connection->store(release_dir / file);
            } catch (const PacsError& e) {
                outcome = {false, e.what()};
                connection.reset();  // reopened for the next try
                if (attempt == std::max(1, options.attempts)) unreachable = e.what();
            }
        }
        if (outcome.ok) {
            audit(release_dir, {{"event", "pushed"}, {"peer", peer}, {"file", file}});
            ++summary.delivered_now;
            ++progress.delivered;
        } else {
            audit(release_dir, {{"event", "push_failed"}, {"peer", peer}, {"file", file}, {"reason", outcome.reason}});
            summary.failures.push_back({file, outcome.reason});
            ++progress.failed;
        }
        ++progress.done;
        if (options.on_instance) options.on_instance(progress);
    }
    audit(release_dir, {{"event", "push_finished"}, {"peer", peer}, {"delivered", summary.delivered_now},
                        {"failed", summary.failures.size()}});
    return summary;
}

}  // namespace dpflow
