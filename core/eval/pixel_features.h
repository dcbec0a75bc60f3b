#pragma once

#include "image/image.h"

#include <vector>

namespace dpflow {

/// The simplest re-identification attacker's features: the image's display values, optionally
/// resized to size x size (bilinear, antialiased; 0 keeps the image as it is), then shifted to
/// zero mean and scaled to unit variance so that global brightness and contrast (exposure, a
/// cheap privatization) do not decide a match. A constant image gives all zeros.
/// Throws std::invalid_argument for an empty image or a negative size.
std::vector<float> normalisedPixelFeatures(const Image& image, int size = 0);

}  // namespace dpflow
