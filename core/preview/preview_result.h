#pragma once

#include "image/image.h"
#include "preview/preview_request.h"
#include "privacy/release_accounting.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace dpflow {

/// Stamp carried by every preview image (in Image::warnings and PreviewResult::stamp): a preview
/// reuses one noise draw for every slider position, so it is never a release. Only
/// PreviewSession::exportRelease produces an image that may be written out.
extern const char* const kPreviewStamp;

/// One rendered preview: the privatized image at the model's size, the accounting a release with
/// the same settings would carry, and where the time went.
struct PreviewResult {
    Image image;                      ///< privatized display values; warnings hold kPreviewStamp
    const char* stamp = kPreviewStamp;///< always kPreviewStamp: not releasable
    ReleaseAccounting accounting;     ///< identical to Privatizer::accounting for these settings
    AttributeValues released_attributes;  ///< c' the preview decoded under (from the fixed draw)
    double input_clipped_fraction = 0.0;  ///< dpglow: share of u outside the box; cadp: 1 if ||u||_1 > s
    double output_clipped_fraction = 0.0; ///< dpglow: noisy elements clipped back; pixel/dppix: values clipped to [0,1]
    double decode_ms = 0.0;           ///< noise + decode (or pixel noise) time of this request
    std::uint64_t serial = 0;         ///< the request's serial
    std::uint64_t image_generation = 0;  ///< which loaded image (and noise draw) it was rendered from
    std::chrono::steady_clock::time_point submitted{};  ///< copied from the request, for latency figures
};

/// True when `image` carries the preview stamp and must not be exported as a release.
bool isPreviewImage(const Image& image);

}  // namespace dpflow
