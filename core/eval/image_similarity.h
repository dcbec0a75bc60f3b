#pragma once

#include "image/image.h"

namespace dpflow {

/// Structural similarity index (Wang, Bovik, Sheikh and Simoncelli 2004) of two images of equal
/// size on display values: an 11 x 11 Gaussian window with sigma 1.5, K1 = 0.01, K2 = 0.03,
/// data range 1, population (not sample) covariances, averaged over every position where the
/// window lies fully inside the image. This is what skimage's structural_similarity computes with
/// gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1. Used to report
/// how close a privatized image stays to its original. 1 for identical images.
/// Throws std::invalid_argument when the sizes differ or a side is below 11 pixels.
double structuralSimilarity(const Image& first, const Image& second);

/// Peak signal-to-noise ratio in dB for data range 1: 10 log10(1 / MSE). +infinity for
/// identical images. Throws std::invalid_argument when the sizes differ or the images are empty.
double peakSignalToNoiseRatio(const Image& first, const Image& second);

}  // namespace dpflow
