#pragma once

#include "image/image.h"

#include <string>
#include <vector>

namespace dpflow {

/// How an image of another size is brought to the model's square size.
enum class FitMode {
    Pad,     ///< centre it on a black canvas (e.g. 28 px PneumoniaMNIST into 32 px); never scales
    Resize,  ///< bilinear resampling with antialiasing to size x size (aspect ratio not kept)
    /// Centre it on a black square canvas of its longer side, then resample that square as
    /// Resize does: no anatomical distortion for a non-square film (a 1955 x 1841 CR), black
    /// bands on the shorter side's ends.
    Square,
};

/// "pad" / "resize" / "square".
std::string fitModeName(FitMode mode);

/// Parses "pad", "resize" or "square"; throws std::invalid_argument naming the accepted values.
FitMode parseFitMode(const std::string& name);

/// The image's display values brought to size x size (row-major, [0,1]) by `mode`. Throws
/// std::invalid_argument when padding would have to crop (image larger than `size`) or the
/// image is empty.
std::vector<float> fitImage(const Image& image, int size, FitMode mode);

}  // namespace dpflow
