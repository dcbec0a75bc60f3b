#include "image/image_description.h"

#include <fmt/format.h>

namespace dpflow {

std::string describeImage(const Image& image) {
    std::string line = fmt::format("{}x{}, {}-bit, {}, {}", image.width, image.height, image.stored_bits,
                                   image.photometric, image.transfer_syntax.empty() ? "PNG" : image.transfer_syntax);
    if (image.window) {
        line += fmt::format(", window {:g}/{:g}", image.window->center, image.window->width);
        line += image.window_source.empty() ? "" : " (" + image.window_source + ")";
    } else if (!image.window_source.empty()) {
        line += ", " + image.window_source;
    }
    for (const std::string& warning : image.warnings) {
        line += "; warning: " + warning;
    }
    return line;
}

std::string describeScanEntry(const ScanEntry& entry) {
    switch (entry.outcome) {
    case ScanOutcome::Read:
        return entry.path.string() + ": " + describeImage(*entry.image);
    case ScanOutcome::Found:
        return entry.path.string() + ": image file (not decoded yet)";
    case ScanOutcome::Skipped:
        return entry.path.string() + ": skipped: " + entry.reason;
    case ScanOutcome::Failed:
        break;
    }
    return entry.path.string() + ": error: " + entry.reason;
}

}  // namespace dpflow
