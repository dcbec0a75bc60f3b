#include "image/png_io.h"

#include "image/image_error.h"
#include "image/voi_transform.h"

#include <png.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace dpflow {
namespace {

// libpng reports errors by calling an error function that must not return; we record the
// message and longjmp back to the setjmp in decodePng/encodePng. Those functions create no
// C++ objects with destructors after setjmp, so the jump skips no destructor.
struct PngErrorState {
    char message[256] = {};
};

void onPngError(png_structp png, png_const_charp message) {
    auto* state = static_cast<PngErrorState*>(png_get_error_ptr(png));
    std::snprintf(state->message, sizeof(state->message), "%s", message);
    png_longjmp(png, 1);
}

// Warnings concern ancillary chunks (e.g. a bad CRC in a text chunk, which libpng drops);
// they never change the pixels, so they are not worth reporting.
void onPngWarning(png_structp, png_const_charp) {}

struct DecodedPng {
    png_uint_32 width = 0;
    png_uint_32 height = 0;
    int bit_depth = 8;   // after expansion: 8 or 16
    int channels = 1;    // after stripping alpha: 1 (gray) or 3 (RGB)
    std::vector<unsigned char> bytes;
    std::vector<png_bytep> rows;
};

using File = std::unique_ptr<FILE, int (*)(FILE*)>;

File openFile(const std::filesystem::path& path, const char* mode) {
    FILE* file = std::fopen(path.c_str(), mode);
    if (file == nullptr) {
        throw ImageError(path, std::string("cannot open: ") + std::strerror(errno));
    }
    return File(file, &std::fclose);
}

// Returns false (with state.message) when libpng reports an error or the size is refused.
bool decodePng(FILE* file, PngErrorState& state, DecodedPng& out) {
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, onPngError, onPngWarning);
    if (png == nullptr) {
        std::snprintf(state.message, sizeof(state.message), "libpng could not start");
        return false;
    }
    png_infop info = png_create_info_struct(png);
    if (info == nullptr || setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, nullptr);
        return false;
    }
    png_init_io(png, file);
    png_set_sig_bytes(png, 8);
    png_read_info(png, info);
    out.width = png_get_image_width(png, info);
    out.height = png_get_image_height(png, info);
    if (out.width > static_cast<png_uint_32>(kMaxImageDimension) ||
        out.height > static_cast<png_uint_32>(kMaxImageDimension)) {
        std::snprintf(state.message, sizeof(state.message),
                      "declared size %ux%u exceeds the limit of %d pixels per side",
                      static_cast<unsigned>(out.width), static_cast<unsigned>(out.height),
                      kMaxImageDimension);
        png_destroy_read_struct(&png, &info, nullptr);
        return false;
    }
    const int color_type = png_get_color_type(png, info);
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        png_set_palette_to_rgb(png);
    }
    if (color_type == PNG_COLOR_TYPE_GRAY && png_get_bit_depth(png, info) < 8) {
        png_set_expand_gray_1_2_4_to_8(png);
    }
    if ((color_type & PNG_COLOR_MASK_ALPHA) != 0) {
        png_set_strip_alpha(png);
    }
    png_read_update_info(png, info);
    out.bit_depth = png_get_bit_depth(png, info);
    out.channels = png_get_channels(png, info);
    const size_t row_bytes = png_get_rowbytes(png, info);
    out.bytes.resize(row_bytes * out.height);
    out.rows.resize(out.height);
    for (png_uint_32 y = 0; y < out.height; ++y) {
        out.rows[y] = out.bytes.data() + y * row_bytes;
    }
    png_read_image(png, out.rows.data());
    png_read_end(png, nullptr);
    png_destroy_read_struct(&png, &info, nullptr);
    return true;
}

bool encodePng(FILE* file, PngErrorState& state, png_uint_32 width, png_uint_32 height,
               int bit_depth, png_bytep* rows) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &state, onPngError, onPngWarning);
    if (png == nullptr) {
        std::snprintf(state.message, sizeof(state.message), "libpng could not start");
        return false;
    }
    png_infop info = png_create_info_struct(png);
    if (info == nullptr || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_init_io(png, file);
    // Radiographs carry quantum noise that zlib barely compresses: its default effort (level 6)
    // costs several times the time of level 2 for a few percent of file size.
    png_set_compression_level(png, 2);
    png_set_IHDR(png, info, width, height, bit_depth, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    png_write_image(png, rows);
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return true;
}

int32_t sampleAt(const DecodedPng& png, size_t index) {
    if (png.bit_depth == 16) {
        return (png.bytes[2 * index] << 8) | png.bytes[2 * index + 1];
    }
    return png.bytes[index];
}

// Gray samples of the decoded PNG; RGB with equal channels is gray as it is, true colour
// becomes BT.709 luma of the encoded values (rounded), with a warning.
StoredFrame toGray(const DecodedPng& png, std::vector<std::string>& warnings) {
    StoredFrame frame;
    frame.width = static_cast<int>(png.width);
    frame.height = static_cast<int>(png.height);
    frame.bits_stored = png.bit_depth;
    const size_t count = static_cast<size_t>(png.width) * png.height;
    frame.values.resize(count);
    if (png.channels == 1) {
        for (size_t i = 0; i < count; ++i) {
            frame.values[i] = sampleAt(png, i);
        }
        return frame;
    }
    bool equal_channels = true;
    for (size_t i = 0; i < count; ++i) {
        const int32_t r = sampleAt(png, 3 * i);
        const int32_t g = sampleAt(png, 3 * i + 1);
        const int32_t b = sampleAt(png, 3 * i + 2);
        equal_channels = equal_channels && r == g && g == b;
        frame.values[i] = static_cast<int32_t>(std::lround(0.2126 * r + 0.7152 * g + 0.0722 * b));
    }
    if (!equal_channels) {
        warnings.push_back("true-colour PNG converted to gray (BT.709 luma)");
    }
    return frame;
}

void requireRegularFile(const std::filesystem::path& path) {
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
        throw ImageError(path, "is a folder, not an image file");
    }
}

}  // namespace

Image readPng(const std::filesystem::path& path) { return readPng(path, ImageReadOptions{}); }

namespace {

// Reads the PNG from `file` (positioned at its start); `path` names it in errors and in the image.
Image readPngFrom(FILE* file, const std::filesystem::path& path, const ImageReadOptions& options) {
    unsigned char signature[8] = {};
    if (std::fread(signature, 1, sizeof(signature), file) != sizeof(signature) ||
        png_sig_cmp(signature, 0, sizeof(signature)) != 0) {
        throw ImageError(path, "not a PNG file (no PNG signature)");
    }
    PngErrorState state;
    DecodedPng decoded;
    if (!decodePng(file, state, decoded)) {
        throw ImageError(path, std::string("damaged PNG: ") + state.message);
    }
    Image image;
    StoredFrame frame = toGray(decoded, image.warnings);
    DisplayTransform transform;
    transform.window = options.window.value_or(fullRangeWindow(frame.bits_stored));
    image.window = transform.window;
    image.window_source = options.window ? "user window"
                                         : "full range of the " + std::to_string(frame.bits_stored) + "-bit PNG";
    image.width = frame.width;
    image.height = frame.height;
    image.pixels = renderDisplay(frame, transform);
    image.stored_bits = frame.bits_stored;
    image.photometric = "MONOCHROME2";
    image.source_path = path;
    return image;
}

}  // namespace

Image readPng(const std::filesystem::path& path, const ImageReadOptions& options) {
    requireRegularFile(path);
    File file = openFile(path, "rb");
    return readPngFrom(file.get(), path, options);
}

Image readPngBytes(const std::vector<unsigned char>& bytes, const std::filesystem::path& path, const ImageReadOptions& options) {
    if (bytes.empty()) throw ImageError(path, "empty file");
    FILE* stream = ::fmemopen(const_cast<unsigned char*>(bytes.data()), bytes.size(), "rb");
    if (stream == nullptr) throw ImageError(path, std::string("cannot read from memory: ") + std::strerror(errno));
    File file(stream, &std::fclose);
    return readPngFrom(file.get(), path, options);
}

void writePng(const Image& image, const std::filesystem::path& path, int bit_depth) {
    if (bit_depth != 8 && bit_depth != 16) {
        throw ImageError(path, "PNG bit depth must be 8 or 16, not " + std::to_string(bit_depth));
    }
    if (image.width <= 0 || image.height <= 0 ||
        image.pixels.size() != static_cast<size_t>(image.width) * image.height) {
        throw ImageError(path, "cannot write an empty or inconsistent image (" + std::to_string(image.width) +
                                   "x" + std::to_string(image.height) + ", " +
                                   std::to_string(image.pixels.size()) + " values)");
    }
    const size_t bytes_per_sample = bit_depth / 8;
    const double max_value = std::ldexp(1.0, bit_depth) - 1.0;
    std::vector<unsigned char> bytes(image.pixels.size() * bytes_per_sample);
    for (size_t i = 0; i < image.pixels.size(); ++i) {
        const float v = image.pixels[i];
        const double clamped = std::isnan(v) ? 0.0 : std::clamp(static_cast<double>(v), 0.0, 1.0);
        const auto stored = static_cast<unsigned>(std::lround(clamped * max_value));
        if (bit_depth == 16) {
            bytes[2 * i] = static_cast<unsigned char>(stored >> 8);
            bytes[2 * i + 1] = static_cast<unsigned char>(stored & 0xFF);
        } else {
            bytes[i] = static_cast<unsigned char>(stored);
        }
    }
    std::vector<png_bytep> rows(image.height);
    for (int y = 0; y < image.height; ++y) {
        rows[y] = bytes.data() + static_cast<size_t>(y) * image.width * bytes_per_sample;
    }
    File file = openFile(path, "wb");
    PngErrorState state;
    const bool written = encodePng(file.get(), state, image.width, image.height, bit_depth, rows.data());
    const bool closed = std::fclose(file.release()) == 0;
    if (!written || !closed) {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
        throw ImageError(path, std::string("cannot write PNG: ") + (written ? "write failed" : state.message));
    }
}

}  // namespace dpflow
