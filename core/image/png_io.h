#pragma once

#include "image/image.h"
#include "image/read_options.h"

#include <filesystem>
#include <vector>

namespace dpflow {

/// Reads an 8- or 16-bit PNG as display values in [0,1]. Gray (with or without alpha) is
/// read as is; RGB/RGBA whose channels are equal is accepted as gray; true colour is converted
/// to luminance with a warning in Image::warnings. Throws ImageError.
Image readPng(const std::filesystem::path& path);

/// As readPng(path), with the caller's choices (e.g. a window in stored-value units replacing
/// the full-range mapping).
Image readPng(const std::filesystem::path& path, const ImageReadOptions& options);

/// As readPng(path, options) on the file's bytes already in memory; `path` names the image.
Image readPngBytes(const std::vector<unsigned char>& bytes, const std::filesystem::path& path, const ImageReadOptions& options);

/// Writes display values as an 8- or 16-bit grayscale PNG (value v -> round(v * (2^bits - 1))).
/// Throws ImageError (e.g. bit depth other than 8 or 16, unwritable path).
void writePng(const Image& image, const std::filesystem::path& path, int bit_depth);

}  // namespace dpflow
