#include "pacs/pacs_cache.h"

#include "pacs/pacs_connection.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <system_error>

namespace dpflow {
namespace fs = std::filesystem;
namespace {

void makePrivateFolder(const fs::path& folder) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec || ::chmod(folder.c_str(), 0700) != 0) {
        throw std::runtime_error(folder.string() + ": cannot create a private folder (" +
                                 (ec ? ec.message() : std::generic_category().message(errno)) + ")");
    }
}

void requireUid(const std::string& uid, const char* what) {
    if (!isValidUid(uid)) throw std::invalid_argument(std::string(what) + " '" + uid + "' is not a valid UID");
}

}  // namespace

PacsCache::PacsCache(fs::path root) : root_(std::move(root)) {
    const fs::path marker = root_ / kPacsCacheMarker;
    std::error_code ec;
    if (fs::exists(root_) && !fs::exists(marker) && !fs::is_empty(root_, ec)) {
        throw std::runtime_error(root_.string() + ": exists and is not a PACS cache (no " + kPacsCacheMarker +
                                 "); give an empty or new folder");
    }
    makePrivateFolder(root_);
    if (!fs::exists(marker)) {
        const int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT, 0600);
        if (fd < 0) throw std::runtime_error(marker.string() + ": cannot create the cache marker");
        const char text[] = "DP-Flow Studio PACS cache: holds PHI retrieved from a PACS. Remove with `dpflow pacs purge`.\n";
        const bool written = ::write(fd, text, sizeof text - 1) == static_cast<ssize_t>(sizeof text - 1);
        ::close(fd);
        if (!written) throw std::runtime_error(marker.string() + ": cannot write the cache marker");
    }
}

fs::path PacsCache::instancePath(const std::string& study_uid, const std::string& series_uid,
                                 const std::string& sop_instance_uid) const {
    requireUid(study_uid, "study instance UID");
    requireUid(series_uid, "series instance UID");
    requireUid(sop_instance_uid, "SOP instance UID");
    makePrivateFolder(root_ / study_uid);
    makePrivateFolder(root_ / study_uid / series_uid);
    return root_ / study_uid / series_uid / (sop_instance_uid + ".dcm");
}

bool PacsCache::holds(const std::string& study_uid, const std::string& series_uid,
                      const std::string& sop_instance_uid) const {
    if (!isValidUid(study_uid) || !isValidUid(series_uid) || !isValidUid(sop_instance_uid)) return false;
    return fs::is_regular_file(root_ / study_uid / series_uid / (sop_instance_uid + ".dcm"));
}

std::vector<fs::path> PacsCache::instanceFiles() const {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(root_)) {
        if (entry.is_regular_file() && entry.path().extension() == ".dcm" && entry.path().filename().string()[0] != '.') {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::size_t purgePacsCache(const fs::path& given) {
    // Through a symbolic link, remove_all would delete the link and leave the PHI on disk.
    std::error_code ec;
    const fs::path root = fs::canonical(given, ec);
    if (ec) throw std::runtime_error(given.string() + ": " + ec.message() + "; nothing deleted");
    if (!fs::is_regular_file(root / kPacsCacheMarker)) {
        throw std::runtime_error(root.string() + ": not a PACS cache (no " + kPacsCacheMarker + "); nothing deleted");
    }
    const std::size_t instances = PacsCache(root).instanceFiles().size();
    fs::remove_all(root);
    return instances;
}

}  // namespace dpflow
