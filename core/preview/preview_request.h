#pragma once

#include "privacy/privatizer_settings.h"

#include <chrono>
#include <cstdint>
#include <optional>

namespace dpflow {

/// What the studio asks the preview engine for: the user's current release decision on the
/// privacy panel. The same settings go to the real Privatizer on export, so preview and release
/// agree on every accounting figure.
struct PreviewRequest {
    /// Mechanism and eps, attribute treatments (ignored for pixel and dppix) and the M5
    /// safeguard (counted in the accounting; the preview shows its verdict on the shown draw,
    /// export applies it).
    PrivatizerSettings settings;
    std::uint64_t serial = 0;      ///< set by PreviewWorker: increases with every submitted request
    std::chrono::steady_clock::time_point submitted{};  ///< set by PreviewWorker when submitted
};

}  // namespace dpflow
