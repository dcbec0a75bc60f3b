#include "image/png_io.h"

#include "image/image_error.h"
#include "image/image_limits.h"
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

using File = std::unique_ptr<FILE, int (*)(FILE*)>;

File openFile(const std::filesystem::path& path, const char* mode) {
    FILE* file = std::fopen(path.c_str(), mode);
    if (file == nullptr) {
        throw ImageError(path, std::string("cannot open: ") + std::strerror(errno));
    }
    return File(file, &std::fclose);
}

// Ancillary chunks still read (e.g. tRNS) are never worth more than this.
constexpr png_alloc_size_t kMaxAncillaryChunkBytes = 8u << 20;

// One decoded row (after libpng's expansions: 8 or 16 bits, 1 gray or 3 RGB channels) into
// `values` (gray stored values); true colour becomes BT.709 luma of the encoded values (rounded).
void rowToGray(const png_byte* row, png_uint_32 width, int bit_depth, int channels, float* values, bool& equal_channels) {
    const auto sample = [&](std::size_t index) -> int32_t {
        return bit_depth == 16 ? (row[2 * index] << 8) | row[2 * index + 1] : row[index];
    };
    for (png_uint_32 x = 0; x < width; ++x) {
        if (channels == 1) {
            values[x] = static_cast<float>(sample(x));
            continue;
        }
        const int32_t r = sample(3 * std::size_t{x});
        const int32_t g = sample(3 * std::size_t{x} + 1);
        const int32_t b = sample(3 * std::size_t{x} + 2);
        equal_channels = equal_channels && r == g && g == b;
        values[x] = static_cast<float>(std::lround(0.2126 * r + 0.7152 * g + 0.0722 * b));
    }
}

// Buffers decodePng fills after its setjmp: owned by the caller, so that a longjmp out of libpng
// skips no destructor and leaks nothing.
struct PngRowBuffers {
    std::vector<png_byte> bytes;  // one row, or every row of an interlaced file
    std::vector<png_bytep> rows;
};

// Decodes the PNG after its signature into gray stored values. Returns false (with
// state.message) when libpng reports an error or the declared size is refused. Nothing of the
// declared size is allocated before the size is checked: against the pixel limit, and against
// what `stream_bytes` of deflated data can possibly inflate to. Rows are decoded one at a time
// into the frame, so the frame is the only full-size buffer (interlaced files, rare for
// radiographs, also hold their rows while libpng assembles the passes).
bool decodePng(FILE* file, std::uint64_t stream_bytes, const std::filesystem::path& path, PngErrorState& state,
               PngRowBuffers& buffers, StoredFrame& frame, std::vector<std::string>& warnings) {
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
    png_set_chunk_malloc_max(png, kMaxAncillaryChunkBytes);
    // Text, ICC profile, palette suggestions and Exif never change a radiograph's grey values:
    // they are skipped unread, so a chunk declaring gigabytes costs nothing (libpng 1.6 only
    // warns about a length above the limit set above, and then allocates it).
    static const png_byte kIgnoredChunks[] = "tEXt\0zTXt\0iTXt\0iCCP\0sPLT\0eXIf\0";
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, nullptr, 0);
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, kIgnoredChunks, 6);
    png_init_io(png, file);
    png_set_sig_bytes(png, 8);
    png_read_info(png, info);
    const png_uint_32 width = png_get_image_width(png, info);
    const png_uint_32 height = png_get_image_height(png, info);
    const std::uint64_t image_data_bytes = static_cast<std::uint64_t>(png_get_rowbytes(png, info)) * height;
    if (width > static_cast<png_uint_32>(kMaxImageDimension) || height > static_cast<png_uint_32>(kMaxImageDimension)) {
        std::snprintf(state.message, sizeof(state.message), "declared size %ux%u exceeds the limit of %d pixels per side",
                      static_cast<unsigned>(width), static_cast<unsigned>(height), kMaxImageDimension);
        png_destroy_read_struct(&png, &info, nullptr);
        return false;
    }
    if (static_cast<std::uint64_t>(width) * height > maxImagePixels()) {
        png_destroy_read_struct(&png, &info, nullptr);
        requireWithinPixelLimit(path, width, height);  // throws, naming the limit
    }
    if (image_data_bytes > maxInflatedBytes(stream_bytes)) {
        std::snprintf(state.message, sizeof(state.message),
                      "declares %ux%u pixels (%llu bytes of image data), more than the %llu bytes of the file can inflate to",
                      static_cast<unsigned>(width), static_cast<unsigned>(height),
                      static_cast<unsigned long long>(image_data_bytes), static_cast<unsigned long long>(stream_bytes));
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
    // Transparency is not part of a radiograph's grey values: an alpha channel is dropped, and
    // so is the one libpng makes from a palette's tRNS chunk when it expands the palette.
    if ((color_type & PNG_COLOR_MASK_ALPHA) != 0 ||
        (color_type == PNG_COLOR_TYPE_PALETTE && png_get_valid(png, info, PNG_INFO_tRNS) != 0)) {
        png_set_strip_alpha(png);
    }
    const int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    const int bit_depth = png_get_bit_depth(png, info);
    const int channels = png_get_channels(png, info);
    const std::size_t row_bytes = png_get_rowbytes(png, info);
    frame.width = static_cast<int>(width);
    frame.height = static_cast<int>(height);
    frame.bits_stored = bit_depth;
    frame.values.assign(static_cast<std::size_t>(width) * height, 0.0f);
    bool equal_channels = true;
    if (passes == 1) {
        buffers.bytes.resize(row_bytes);
        for (png_uint_32 y = 0; y < height; ++y) {
            png_read_row(png, buffers.bytes.data(), nullptr);
            rowToGray(buffers.bytes.data(), width, bit_depth, channels, frame.values.data() + std::size_t{y} * width, equal_channels);
        }
    } else {
        buffers.bytes.resize(row_bytes * height);
        buffers.rows.resize(height);
        for (png_uint_32 y = 0; y < height; ++y) buffers.rows[y] = buffers.bytes.data() + y * row_bytes;
        png_read_image(png, buffers.rows.data());
        for (png_uint_32 y = 0; y < height; ++y)
            rowToGray(buffers.rows[y], width, bit_depth, channels, frame.values.data() + std::size_t{y} * width, equal_channels);
    }
    png_read_end(png, nullptr);
    png_destroy_read_struct(&png, &info, nullptr);
    if (!equal_channels) {
        warnings.push_back("true-colour PNG converted to gray (BT.709 luma)");
    }
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
// `stream_bytes` is the size of the whole file (what its deflated data can be at most).
Image readPngFrom(FILE* file, std::uint64_t stream_bytes, const std::filesystem::path& path, const ImageReadOptions& options) {
    unsigned char signature[8] = {};
    if (std::fread(signature, 1, sizeof(signature), file) != sizeof(signature) ||
        png_sig_cmp(signature, 0, sizeof(signature)) != 0) {
        throw ImageError(path, "not a PNG file (no PNG signature)");
    }
    PngErrorState state;
    Image image;
    StoredFrame frame;
    PngRowBuffers buffers;
    if (!decodePng(file, stream_bytes, path, state, buffers, frame, image.warnings)) {
        throw ImageError(path, std::string("damaged PNG: ") + state.message);
    }
    DisplayTransform transform;
    transform.window = options.window.value_or(fullRangeWindow(frame.bits_stored));
    image.window = transform.window;
    image.window_source = options.window ? "user window"
                                         : "full range of the " + std::to_string(frame.bits_stored) + "-bit PNG";
    image.width = frame.width;
    image.height = frame.height;
    image.stored_bits = frame.bits_stored;
    image.pixels = renderDisplay(std::move(frame), transform);
    image.photometric = "MONOCHROME2";
    image.source_path = path;
    return image;
}

}  // namespace

Image readPng(const std::filesystem::path& path, const ImageReadOptions& options) {
    requireRegularFile(path);
    File file = openFile(path, "rb");
    std::error_code error;
    const std::uintmax_t size = std::filesystem::file_size(path, error);
    return readPngFrom(file.get(), error ? 0 : size, path, options);
}

Image readPngBytes(const std::vector<unsigned char>& bytes, const std::filesystem::path& path, const ImageReadOptions& options) {
    if (bytes.empty()) throw ImageError(path, "empty file");
    FILE* stream = ::fmemopen(const_cast<unsigned char*>(bytes.data()), bytes.size(), "rb");
    if (stream == nullptr) throw ImageError(path, std::string("cannot read from memory: ") + std::strerror(errno));
    File file(stream, &std::fclose);
    return readPngFrom(file.get(), bytes.size(), path, options);
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
