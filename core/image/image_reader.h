#pragma once

#include "image/image.h"

#include <filesystem>

namespace dpflow {

/// Reads a DICOM or PNG file, recognising DICOM by content (preamble or meta header), not
/// by extension. Throws ImageError with the reason when the file cannot be shown faithfully.
Image readImage(const std::filesystem::path& path);

}  // namespace dpflow
