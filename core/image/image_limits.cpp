#include "image/image_limits.h"

#include "image/image_error.h"

#include <atomic>
#include <cstdlib>
#include <fmt/format.h>

namespace dpflow {
namespace {

std::atomic<std::uint64_t> chosen_limit{0};

std::uint64_t limitFromEnvironment() {
    const char* value = std::getenv(kMaxMegapixelsVariable);
    if (value == nullptr || *value == '\0') return kDefaultMaxImagePixels;
    char* end = nullptr;
    const double megapixels = std::strtod(value, &end);
    if (end == value || *end != '\0' || !(megapixels > 0) || megapixels > 1e6) return kDefaultMaxImagePixels;
    return static_cast<std::uint64_t>(megapixels * 1e6);
}

}  // namespace

std::uint64_t maxImagePixels() {
    if (const std::uint64_t chosen = chosen_limit.load(); chosen != 0) return chosen;
    static const std::uint64_t from_environment = limitFromEnvironment();
    return from_environment;
}

void setMaxImagePixels(std::uint64_t pixels) { chosen_limit.store(pixels); }

std::string pixelLimitExcess(std::uint64_t width, std::uint64_t height) {
    const std::uint64_t limit = maxImagePixels();
    if (width * height <= limit) return {};
    return fmt::format("declares {}x{} = {:.1f} million pixels, above the limit of {:.1f} million "
                                       "(set {} to a larger number of megapixels to read it)",
                                       width, height, static_cast<double>(width * height) / 1e6,
                                       static_cast<double>(limit) / 1e6, kMaxMegapixelsVariable);
}

void requireWithinPixelLimit(const std::filesystem::path& path, std::uint64_t width, std::uint64_t height) {
    if (std::string excess = pixelLimitExcess(width, height); !excess.empty()) throw ImageError(path, excess);
}

std::uint64_t maxInflatedBytes(std::uint64_t compressed_bytes) { return compressed_bytes * 1032 + 1024; }

}  // namespace dpflow
