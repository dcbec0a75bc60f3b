#pragma once

#include "pacs/pacs_peer.h"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace dpflow {

struct PushProgress {
    std::size_t done = 0;   ///< instances handled in this run
    std::size_t to_push = 0;
    std::size_t delivered = 0;
    std::size_t failed = 0;
};

struct PushOptions {
    PacsPeer peer;
    std::string our_ae_title = "DPFLOW";
    int attempts = 3;  ///< tries per instance; a broken association is reopened between tries
    std::function<void(const PushProgress&)> on_instance;
};

struct PushFailure {
    std::string file;  ///< relative to the release folder
    std::string reason;
};

struct PushSummary {
    std::size_t instances = 0;         ///< DICOM files in the release
    std::size_t delivered_before = 0;  ///< already stored at this peer by an earlier run
    std::size_t delivered_now = 0;
    std::vector<PushFailure> failures;
};

/// Sends the released DICOM files of the release folder `release_dir` to a research archive
/// by C-STORE, as they are (their own study/series grouping and new UIDs). Only a release that
/// verifies (certificate written, every file's hash as certified) is pushed. Each instance the
/// peer stored is recorded in the release's audit trail ("pushed", with the peer); a re-run pushes
/// only what that trail does not record as delivered to this peer. A failed store is retried,
/// then reported ("push_failed"), never counted as delivered. Throws std::runtime_error when
/// the release does not verify, PacsError when the peer cannot be reached at all.
PushSummary pushRelease(const std::filesystem::path& release_dir, const PushOptions& options);

}  // namespace dpflow
