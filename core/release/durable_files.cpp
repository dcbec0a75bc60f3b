#include "release/durable_files.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace dpflow {
namespace {

namespace fs = std::filesystem;

void writeAllAndSync(const fs::path& path, const std::string& bytes, int flags) {
    const int fd = ::open(path.c_str(), flags | O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error(path.string() + ": cannot open for writing: " + std::strerror(errno));
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int error = errno;
            ::close(fd);
            throw std::runtime_error(path.string() + ": write failed: " + std::strerror(error));
        }
        done += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced) throw std::runtime_error(path.string() + ": cannot flush to disk: " + std::strerror(errno));
}

}  // namespace

fs::path partialPathFor(const fs::path& path) {
    return path.parent_path() / ("." + path.filename().string() + ".partial");
}

void writeFileAtomically(const fs::path& path, const std::string& text) {
    const fs::path temporary = partialPathFor(path);
    writeAllAndSync(temporary, text, O_TRUNC);
    fs::rename(temporary, path);
}

void appendJsonLine(const fs::path& path, const nlohmann::json& object) {
    // Cut off a torn last line (a kill inside the previous write) so that it never ends up in
    // the middle of the file, where it would be damage rather than an interrupted append.
    std::error_code error;
    const auto size = fs::file_size(path, error);
    if (!error && size > 0) {
        std::ifstream in(path, std::ios::binary);
        std::string text((std::istreambuf_iterator<char>(in)), {});
        if (text.back() != '\n') {
            const auto end = text.find_last_of('\n');
            fs::resize_file(path, end == std::string::npos ? 0 : end + 1);
        }
    }
    writeAllAndSync(path, object.dump() + "\n", O_APPEND);
}

std::vector<nlohmann::json> readJsonLines(const fs::path& path) {
    std::vector<nlohmann::json> objects;
    std::ifstream in(path, std::ios::binary);
    if (!in) return objects;
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        try {
            objects.push_back(nlohmann::json::parse(lines[i]));
        } catch (const nlohmann::json::exception&) {
            if (i + 1 == lines.size()) break;  // torn by a kill inside the last write
            throw std::runtime_error(path.string() + ": line " + std::to_string(i + 1) +
                                     " is damaged (not JSON); the file was edited or the disk is failing");
        }
    }
    return objects;
}

ReleaseFolderLock::ReleaseFolderLock(const fs::path& folder) {
    const fs::path path = folder / ".release.lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error(path.string() + ": cannot open the release lock: " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd_);
        throw std::runtime_error(folder.string() + ": another dpflow release is writing this folder (lock " +
                                 path.string() + " is held); wait for it or choose another --out");
    }
}

ReleaseFolderLock::~ReleaseFolderLock() {
    ::close(fd_);
}

}  // namespace dpflow
