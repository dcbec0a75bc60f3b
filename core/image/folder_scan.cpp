#include "image/folder_scan.h"

#include "image/image_error.h"
#include "image/image_reader.h"

#include <algorithm>
#include <system_error>

namespace dpflow {
namespace {

// Why a file that detectImageFormat does not recognise is not listed as an image.
std::string notAnImageReason(const std::filesystem::path& path) {
    std::error_code error;
    return std::filesystem::file_size(path, error) == 0 ? "empty file" : kNotAnImageFileReason;
}

ScanEntry scanFile(const std::filesystem::path& path, bool named_explicitly) {
    ScanEntry entry;
    entry.path = path;
    if (!named_explicitly && detectImageFormat(path) == ImageFileFormat::Unknown) {
        entry.outcome = ScanOutcome::Skipped;
        entry.reason = notAnImageReason(path);
        return entry;
    }
    try {
        entry.image = readImageBytes(readFileBytes(path), path);  // one read: pixels and the hash of those bytes
        entry.outcome = ScanOutcome::Read;
    } catch (const ImageError& error) {
        entry.outcome = ScanOutcome::Failed;
        entry.reason = error.reason();
    }
    return entry;
}

ScanEntry listFile(const std::filesystem::path& path, bool named_explicitly) {
    ScanEntry entry;
    entry.path = path;
    std::error_code error;
    if (named_explicitly && !std::filesystem::is_regular_file(path, error)) {
        entry.outcome = ScanOutcome::Failed;
        entry.reason = std::filesystem::exists(path, error) ? "not a regular file" : "no such file";
    } else if (detectImageFormat(path) == ImageFileFormat::Unknown) {
        entry.outcome = named_explicitly ? ScanOutcome::Failed : ScanOutcome::Skipped;
        entry.reason = notAnImageReason(path);
    } else {
        entry.outcome = ScanOutcome::Found;
    }
    return entry;
}

// Every file under `root` (sorted by generic path) through `each(file, named_explicitly)`.
void forEachFile(const std::filesystem::path& root, const std::function<ScanEntry(const std::filesystem::path&, bool)>& each,
                 const std::function<void(ScanEntry&&)>& visit) {
    std::error_code error;
    if (!std::filesystem::is_directory(root, error)) {
        visit(each(root, true));
        return;
    }
    std::vector<std::filesystem::path> files;
    std::filesystem::recursive_directory_iterator it(
        root, std::filesystem::directory_options::skip_permission_denied, error);
    for (; !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
        std::error_code type_error;
        if (!it->is_directory(type_error)) {
            files.push_back(it->path());
        }
    }
    if (error) {
        ScanEntry entry;
        entry.path = root;
        entry.outcome = ScanOutcome::Failed;
        entry.reason = "cannot list the folder: " + error.message();
        visit(std::move(entry));
    }
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
        return a.generic_string() < b.generic_string();
    });
    for (const auto& file : files) visit(each(file, false));
}

}  // namespace

void scanImages(const std::filesystem::path& root, const std::function<void(ScanEntry&&)>& visit) {
    forEachFile(root, scanFile, visit);
}

void listImages(const std::filesystem::path& root, const std::function<void(ScanEntry&&)>& visit) {
    forEachFile(root, listFile, visit);
}

std::vector<ScanEntry> scanImages(const std::filesystem::path& root) {
    std::vector<ScanEntry> entries;
    scanImages(root, [&](ScanEntry&& entry) { entries.push_back(std::move(entry)); });
    return entries;
}

}  // namespace dpflow
