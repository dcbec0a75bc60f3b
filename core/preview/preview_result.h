#pragma once

#include "image/image.h"
#include "preview/preview_request.h"
#include "privacy/nearest_neighbour_safeguard.h"
#include "privacy/release_accounting.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace dpflow {

/// Stamp carried by every preview image (in Image::warnings and PreviewResult::stamp): a preview
/// reuses one noise draw for every slider position, so it is never a release. Only
/// PreviewSession::exportRelease produces an image that may be written out.
extern const char* const kPreviewStamp;

/// The M5 safeguard applied to the shown preview draw, with the reference set, feature space
/// and distance export uses: what export would decide for a draw that lands where this one did.
/// Export draws fresh noise, so its own distance differs from this one by that draw.
struct SafeguardVerdict {
    double nearest_distance = 0.0;    ///< RMS distance of the preview's feature to the nearest reference image
    double tau = 0.0;                 ///< released only when nearest_distance >= tau
    SafeguardPolicy policy = SafeguardPolicy::Withhold;
    int tries = 1;                    ///< resample: a failing draw is redrawn on export, at most this many draws in all
    std::size_t reference_images = 0;
    bool reference_holds_image = false;  ///< R lists the open image's own file (same SHA-256): R is private regardless
    bool reference_public = false;       ///< as export records it: asserted public and not holding the image

    /// True when export would release this draw (distance >= tau; tau 0 always passes).
    bool passes() const { return nearest_distance >= tau; }
};

/// One rendered preview: the privatized image at the model's size, the accounting a release with
/// the same settings would carry, and where the time went.
struct PreviewResult {
    Image image;                      ///< privatized display values; warnings hold kPreviewStamp
    const char* stamp = kPreviewStamp;///< always kPreviewStamp: not releasable
    ReleaseAccounting accounting;     ///< identical to Privatizer::accounting for these settings
    AttributeValues released_attributes;  ///< c' the preview decoded under (from the fixed draw)
    double input_clipped_fraction = 0.0;  ///< dpglow: share of u outside the box; cadp: 1 if ||u||_1 > s
    double output_clipped_fraction = 0.0; ///< dpglow: noisy elements clipped back; pixel/dppix: values clipped to [0,1]
    std::optional<SafeguardVerdict> safeguard;  ///< set when the request configures the safeguard
    double decode_ms = 0.0;           ///< noise + decode (or pixel noise) time of this request
    std::uint64_t serial = 0;         ///< the request's serial
    std::uint64_t image_generation = 0;  ///< which loaded image (and noise draw) it was rendered from
    std::chrono::steady_clock::time_point submitted{};  ///< copied from the request, for latency figures
};

/// True when `image` carries the preview stamp and must not be exported as a release.
bool isPreviewImage(const Image& image);

}  // namespace dpflow
