#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace dpflow {

/// A local folder of instances retrieved from a PACS, laid out ROOT/<study UID>/<series UID>/
/// <SOP instance UID>.dcm, with ROOT/manifest.csv for the rest of the product. It holds PHI: the
/// folders are created 0700 and the files 0600, and a marker file `.dpflow-pacs-cache` tells
/// purgePacsCache that it is one (it never deletes a folder that is not).
class PacsCache {
public:
    /// Opens the cache at `root`, creating it (and the marker) when missing. Throws
    /// std::runtime_error naming the folder when it exists, is not empty and is not a cache, or
    /// cannot be made private.
    explicit PacsCache(std::filesystem::path root);

    const std::filesystem::path& root() const { return root_; }

    /// Where an instance is kept, its folders created (0700). Throws std::invalid_argument when
    /// a UID is not a valid UID (only those are used as names).
    std::filesystem::path instancePath(const std::string& study_uid, const std::string& series_uid,
                                       const std::string& sop_instance_uid) const;

    /// Whether the instance is already here, whole (a retrieve writes a file only when complete).
    bool holds(const std::string& study_uid, const std::string& series_uid, const std::string& sop_instance_uid) const;

    /// Every instance file held, in path order.
    std::vector<std::filesystem::path> instanceFiles() const;

    /// ROOT/manifest.csv.
    std::filesystem::path manifestPath() const { return root_ / "manifest.csv"; }

private:
    std::filesystem::path root_;
};

/// The marker's name.
inline constexpr const char* kPacsCacheMarker = ".dpflow-pacs-cache";

/// Deletes the cache at `root` (a symbolic link is followed: the cache itself goes, not the link)
/// and everything in it. Throws std::runtime_error, deleting nothing, when `root` is not a cache
/// (no marker). Returns the number of instance files removed.
std::size_t purgePacsCache(const std::filesystem::path& root);

}  // namespace dpflow
