#include "preview/preview_result.h"

#include <algorithm>

namespace dpflow {

const char* const kPreviewStamp = "PREVIEW (fixed noise draw, not a release)";

bool isPreviewImage(const Image& image) {
    return std::any_of(image.warnings.begin(), image.warnings.end(),
                       [](const std::string& warning) { return warning == kPreviewStamp; });
}

}  // namespace dpflow
