#pragma once

#include "image/image.h"

#include <optional>

namespace dpflow {

/// Choices a caller can make about how a file becomes display values.
struct ImageReadOptions {
    /// Window in modality units (after rescale) that replaces the file's own VOI (VOI LUT,
    /// window, or the min-max/full-range fallback). Applied with the LINEAR function.
    std::optional<DisplayWindow> window;
};

}  // namespace dpflow
