#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dpflow {

/// Largest width or height the readers accept. A declared size above it is refused before any
/// pixel memory is allocated, so a corrupt or hostile header cannot exhaust memory
/// (16384 x 16384 float display values are already 1 GiB).
constexpr int kMaxImageDimension = 16384;

/// A display window in the image's modality units (after rescale slope/intercept).
struct DisplayWindow {
    double center = 0.0;
    double width = 1.0;
};

/// A grayscale radiograph as the product sees it: display values in [0,1] after the
/// modality (rescale) and VOI (window or LUT) transforms, with bright meaning dense
/// (MONOCHROME1 sources are already inverted). Everything else is what a user or the
/// DICOM writer needs to know about where the values came from.
struct Image {
    int width = 0;
    int height = 0;
    std::vector<float> pixels;  ///< row-major, width*height display values in [0,1]

    int stored_bits = 8;                  ///< bits stored per sample in the source (8..16)
    std::string photometric = "MONOCHROME2";  ///< source photometric interpretation
    std::optional<std::array<double, 2>> pixel_spacing_mm;  ///< row spacing, column spacing
    std::optional<DisplayWindow> window;  ///< VOI window applied (modality units), if any
    std::string window_source;            ///< how the VOI step was chosen, e.g. "file window 1 of 2"
    std::string transfer_syntax;          ///< DICOM transfer syntax name; empty for PNG
    std::filesystem::path source_path;    ///< file the image was read from; empty if generated
    std::string source_sha256;            ///< SHA-256 of exactly the bytes decoded (readImageBytes); empty when not taken
    std::vector<std::string> warnings;    ///< non-fatal findings, e.g. "multi-frame: showing frame 1 of 40"

    /// Display value at column x, row y (no bounds check beyond debug builds).
    float at(int x, int y) const { return pixels[static_cast<size_t>(y) * width + x]; }
    float& at(int x, int y) { return pixels[static_cast<size_t>(y) * width + x]; }
    bool empty() const { return pixels.empty(); }
};

/// Creates a width x height image filled with `value`, with no source metadata.
inline Image makeImage(int width, int height, float value = 0.0f) {
    Image image;
    image.width = width;
    image.height = height;
    image.pixels.assign(static_cast<size_t>(width) * height, value);
    return image;
}

}  // namespace dpflow
