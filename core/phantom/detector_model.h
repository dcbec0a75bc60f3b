#pragma once

#include "phantom/acquisition.h"

#include <cstdint>
#include <vector>

namespace dpflow {

/// The imaging chain of a CR/DX system after the patient: Beer-Lambert attenuation of the
/// primary beam, scatter (a wide blur of the primary), Poisson-like quantum noise, detector
/// blur, the log transform, an automatic window from the histogram (as exposure recognition
/// does), the contrast curve and unsharp masking of the processing.
///
/// `line_integrals` are sum(mu * length) per pixel of a size x size image with square pixels
/// of `pixel_mm`; the result holds display values in [0,1] (bright = dense), not yet quantised.
/// Noise is drawn from `noise_seed` alone, so the same inputs give the same bytes.
std::vector<float> exposeAndProcess(const std::vector<float>& line_integrals, int size, double pixel_mm,
                                    const Acquisition& acquisition, std::uint64_t noise_seed);

/// Gaussian blur of a row-major width x height raster in place (edges clamped): an exact
/// separable kernel for small sigma, three box passes for large sigma. Sigma in pixels.
void gaussianBlur(std::vector<float>& raster, int width, int height, double sigma);

}  // namespace dpflow
