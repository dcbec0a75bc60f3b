#pragma once

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace dpflow {

/// Writes `text` to `path` so that a reader (or a run resumed after a kill) sees either the old
/// file or the whole new one: written to `.<name>.partial` beside it, flushed to disk, renamed.
/// Throws std::runtime_error naming the file.
void writeFileAtomically(const std::filesystem::path& path, const std::string& text);

/// The temporary name writeFileAtomically and the release runner use for `path`. Fixed (no
/// process id) so that a resumed run finds what a killed one left; one run per folder holds the
/// folder's lock (ReleaseFolderLock), so two writers never share it.
std::filesystem::path partialPathFor(const std::filesystem::path& path);

/// Appends one JSON object as one line with a single write(2) and fsync, so a kill leaves every
/// earlier line intact (the audit trail and the release state). A torn last line left by a
/// kill is cut off first. Throws std::runtime_error.
void appendJsonLine(const std::filesystem::path& path, const nlohmann::json& object);

/// Reads a JSON-lines file (missing file: no lines). A torn last line (a kill inside the write)
/// is dropped; a damaged line before the last is an error (std::runtime_error naming the line),
/// never skipped.
std::vector<nlohmann::json> readJsonLines(const std::filesystem::path& path);

/// Holds an exclusive lock (flock) on `<folder>/.release.lock` for its lifetime, so that two
/// runs never write one release folder at once. Throws std::runtime_error when another process
/// holds it.
class ReleaseFolderLock {
public:
    explicit ReleaseFolderLock(const std::filesystem::path& folder);
    ~ReleaseFolderLock();
    ReleaseFolderLock(const ReleaseFolderLock&) = delete;
    ReleaseFolderLock& operator=(const ReleaseFolderLock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace dpflow
