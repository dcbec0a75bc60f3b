#pragma once

#include "privacy/attribute_policy.h"
#include "privacy/mechanism_settings.h"
#include "privacy/nearest_neighbour_safeguard.h"

#include <chrono>
#include <cstdint>
#include <optional>

namespace dpflow {

/// What the studio asks the preview engine for: the user's current choices on the privacy panel.
/// The same settings go to the real Privatizer on export, so preview and release agree on every
/// accounting figure.
struct PreviewRequest {
    MechanismSettings mechanism;   ///< mechanism, eps_latent / eps_pixel, cadp radius, dppix cell
    AttributePolicy attributes;    ///< keep / protect (with eps_k) per model attribute; ignored for pixel and dppix
    std::optional<SafeguardSettings> safeguard;  ///< M5: counted in the accounting; the preview shows its verdict on the shown draw, export applies it
    std::uint64_t serial = 0;      ///< set by PreviewWorker: increases with every submitted request
    std::chrono::steady_clock::time_point submitted{};  ///< set by PreviewWorker when submitted
};

}  // namespace dpflow
