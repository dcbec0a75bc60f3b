#include "image/folder_scan.h"

#include "image/image_error.h"
#include "image/image_reader.h"

#include <algorithm>
#include <system_error>

namespace dpflow {
namespace {

ScanEntry scanFile(const std::filesystem::path& path, bool named_explicitly) {
    ScanEntry entry;
    entry.path = path;
    if (!named_explicitly && detectImageFormat(path) == ImageFileFormat::Unknown) {
        std::error_code error;
        entry.outcome = ScanOutcome::Skipped;
        entry.reason = std::filesystem::file_size(path, error) == 0 ? "empty file" : kNotAnImageFileReason;
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

}  // namespace

void scanImages(const std::filesystem::path& root, const std::function<void(ScanEntry&&)>& visit) {
    std::error_code error;
    if (!std::filesystem::is_directory(root, error)) {
        visit(scanFile(root, true));
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
    for (const auto& file : files) {
        visit(scanFile(file, false));
    }
}

std::vector<ScanEntry> scanImages(const std::filesystem::path& root) {
    std::vector<ScanEntry> entries;
    scanImages(root, [&](ScanEntry&& entry) { entries.push_back(std::move(entry)); });
    return entries;
}

}  // namespace dpflow
