#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace dpflow {

/// How many pixels the readers decode at most, unless the user says otherwise. A chest detector
/// of 43 x 43 cm at 0.1 mm pitch is about 4300 x 4300 (18.5 million pixels); the default,
/// 8192 x 8192, leaves room for any clinical film and bounds what a small compressed file that
/// declares a huge size can cost (a read holds the display values, 4 bytes a pixel, and at most
/// the decoder's own buffer beside them: 64 Mi pixels is 256 MiB of display values).
constexpr std::uint64_t kDefaultMaxImagePixels = 8192ull * 8192ull;

/// The environment variable that changes the limit, in megapixels (millions of pixels), for the
/// command line and the studio alike, e.g. DPFLOW_MAX_MEGAPIXELS=300.
constexpr const char* kMaxMegapixelsVariable = "DPFLOW_MAX_MEGAPIXELS";

/// The limit in force: set by setMaxImagePixels, else DPFLOW_MAX_MEGAPIXELS (read once), else
/// kDefaultMaxImagePixels. An unreadable variable leaves the default.
std::uint64_t maxImagePixels();

/// Replaces the limit for this process (0 restores the environment's or the default).
void setMaxImagePixels(std::uint64_t pixels);

/// Empty when width x height is within maxImagePixels(); else why it is refused, naming the
/// variable that raises the limit.
std::string pixelLimitExcess(std::uint64_t width, std::uint64_t height);

/// Throws ImageError for `path` when a declared width x height exceeds maxImagePixels(), before
/// anything of that size is allocated; the message gives both sizes and names the variable.
void requireWithinPixelLimit(const std::filesystem::path& path, std::uint64_t width, std::uint64_t height);

/// Deflate (zlib) never expands data more than 1032:1 (a 258-byte match costs at least 2 bits),
/// so `compressed_bytes` of a deflated stream inflate to at most this many bytes. A header that
/// declares more uncompressed data than that is lying, and is refused before anything is allocated.
std::uint64_t maxInflatedBytes(std::uint64_t compressed_bytes);

}  // namespace dpflow
