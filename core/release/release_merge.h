#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <ostream>
#include <vector>

namespace dpflow {

/// Merges the folders of the shards of one release (`dpflow release --merge DIR... --out DIR`)
/// into one release folder with one certificate: each shard must pass verifyRelease, all must
/// share the settings fingerprint (settings, model hash, number of shards N), and together they
/// must be shards 0..N-1 exactly once. Images and records are copied, the ledgers and audit
/// trails concatenated (the audit gains a "merged" event), and a new release manifest and
/// certificate (listing every shard) are written. Returns the certificate. Throws
/// std::invalid_argument for shards that do not belong together (naming the folder and what
/// differs) or an `out` that already holds a release, std::runtime_error for unreadable or
/// damaged shards.
nlohmann::json mergeReleases(const std::vector<std::filesystem::path>& shard_folders, const std::filesystem::path& out,
                             std::ostream& log);

}  // namespace dpflow
