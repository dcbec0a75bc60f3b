#include "image/jpeg2000_decoder.h"

#include "image/image_limits.h"

#include <openjpeg.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace dpflow {
namespace {

struct MemoryReader {
    const std::vector<uint8_t>* bytes;
    size_t position = 0;
};

OPJ_SIZE_T readBytes(void* buffer, OPJ_SIZE_T count, void* user) {
    auto* reader = static_cast<MemoryReader*>(user);
    const size_t left = reader->bytes->size() - reader->position;
    if (left == 0) {
        return static_cast<OPJ_SIZE_T>(-1);
    }
    const size_t n = std::min<size_t>(count, left);
    std::memcpy(buffer, reader->bytes->data() + reader->position, n);
    reader->position += n;
    return n;
}

OPJ_OFF_T skipBytes(OPJ_OFF_T count, void* user) {
    auto* reader = static_cast<MemoryReader*>(user);
    const auto target = static_cast<OPJ_OFF_T>(reader->position) + count;
    if (target < 0 || target > static_cast<OPJ_OFF_T>(reader->bytes->size())) {
        return -1;
    }
    reader->position = static_cast<size_t>(target);
    return count;
}

OPJ_BOOL seekBytes(OPJ_OFF_T offset, void* user) {
    auto* reader = static_cast<MemoryReader*>(user);
    if (offset < 0 || offset > static_cast<OPJ_OFF_T>(reader->bytes->size())) {
        return OPJ_FALSE;
    }
    reader->position = static_cast<size_t>(offset);
    return OPJ_TRUE;
}

void keepError(const char* message, void* user) {
    auto* error = static_cast<std::string*>(user);
    if (error->empty()) {
        *error = message;
        while (!error->empty() && (error->back() == '\n' || error->back() == ' ')) {
            error->pop_back();
        }
    }
}

void ignoreMessage(const char*, void*) {}

bool isJp2File(const std::vector<uint8_t>& bytes) {
    static const uint8_t kJp2Signature[] = {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20};
    return bytes.size() >= sizeof(kJp2Signature) &&
           std::equal(std::begin(kJp2Signature), std::end(kJp2Signature), bytes.begin());
}

// Most tiles a frame may declare: 16384 x 16384 in 256-pixel tiles. OpenJPEG allocates a
// structure per tile while it reads the header.
constexpr std::uint64_t kMaxTiles = 4096;

// Checks the codestream's SIZ marker segment (ISO 15444-1 A.5.1) before OpenJPEG reads it:
// OpenJPEG allocates for the declared image and tile grid while reading the header, and a
// 1,080-byte DICOM declaring 1048600 x 1048596 made `dpflow info` peak at 691 MB (a fuzz finding).
void requireSaneSize(const std::vector<uint8_t>& bytes) {
    // SOC (FF4F) then SIZ (FF51): directly for a raw codestream, inside the jp2c box of a JP2 file.
    std::size_t at = 0;
    while (at + 4 <= bytes.size() && at < 4096 &&
           !(bytes[at] == 0xFF && bytes[at + 1] == 0x4F && bytes[at + 2] == 0xFF && bytes[at + 3] == 0x51))
        ++at;
    const auto u32 = [&](std::size_t i) {
        return (std::uint32_t{bytes[i]} << 24) | (std::uint32_t{bytes[i + 1]} << 16) | (std::uint32_t{bytes[i + 2]} << 8) | bytes[i + 3];
    };
    const std::size_t siz = at + 4;  // Lsiz, Rsiz, Xsiz, Ysiz, XOsiz, YOsiz, XTsiz, YTsiz, XTOsiz, YTOsiz, Csiz
    if (siz + 38 > bytes.size()) throw std::runtime_error("damaged JPEG 2000 frame: no SIZ marker segment");
    const std::uint64_t x = u32(siz + 4), y = u32(siz + 8), x0 = u32(siz + 12), y0 = u32(siz + 16);
    const std::uint64_t tile_w = u32(siz + 20), tile_h = u32(siz + 24), tile_x0 = u32(siz + 28), tile_y0 = u32(siz + 32);
    const std::uint32_t components = (std::uint32_t{bytes[siz + 36]} << 8) | bytes[siz + 37];
    if (x <= x0 || y <= y0 || tile_w == 0 || tile_h == 0 || tile_x0 > x0 || tile_y0 > y0)
        throw std::runtime_error("damaged JPEG 2000 frame: inconsistent SIZ marker segment");
    const std::uint64_t width = x - x0, height = y - y0;
    if (width > static_cast<std::uint64_t>(kMaxImageDimension) || height > static_cast<std::uint64_t>(kMaxImageDimension))
        throw std::runtime_error("JPEG 2000 frame size " + std::to_string(width) + "x" + std::to_string(height) + " is outside 1.." +
                                 std::to_string(kMaxImageDimension));
    if (const std::string excess = pixelLimitExcess(width, height); !excess.empty()) throw std::runtime_error("JPEG 2000 frame " + excess);
    const std::uint64_t tiles = ((x - tile_x0 + tile_w - 1) / tile_w) * ((y - tile_y0 + tile_h - 1) / tile_h);
    if (tiles > kMaxTiles)
        throw std::runtime_error("JPEG 2000 frame declares " + std::to_string(tiles) + " tiles (at most " + std::to_string(kMaxTiles) + ")");
    if (components != 1)
        throw std::runtime_error("JPEG 2000 frame has " + std::to_string(components) + " components; only grayscale (1) is supported");
}

}  // namespace

StoredFrame decodeJpeg2000(const std::vector<uint8_t>& bytes) {
    requireSaneSize(bytes);
    std::unique_ptr<opj_codec_t, void (*)(opj_codec_t*)> codec(
        opj_create_decompress(isJp2File(bytes) ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K), &opj_destroy_codec);
    std::string error;
    opj_set_error_handler(codec.get(), keepError, &error);
    opj_set_warning_handler(codec.get(), ignoreMessage, nullptr);
    opj_set_info_handler(codec.get(), ignoreMessage, nullptr);
    opj_dparameters_t parameters;
    opj_set_default_decoder_parameters(&parameters);
    if (!opj_setup_decoder(codec.get(), &parameters)) {
        throw std::runtime_error("OpenJPEG could not start: " + error);
    }

    MemoryReader reader{&bytes};
    std::unique_ptr<opj_stream_t, void (*)(opj_stream_t*)> stream(opj_stream_default_create(OPJ_TRUE),
                                                                  &opj_stream_destroy);
    opj_stream_set_user_data(stream.get(), &reader, nullptr);
    opj_stream_set_user_data_length(stream.get(), bytes.size());
    opj_stream_set_read_function(stream.get(), readBytes);
    opj_stream_set_skip_function(stream.get(), skipBytes);
    opj_stream_set_seek_function(stream.get(), seekBytes);

    opj_image_t* raw_image = nullptr;
    const bool header_read = opj_read_header(stream.get(), codec.get(), &raw_image);
    std::unique_ptr<opj_image_t, void (*)(opj_image_t*)> image(raw_image, &opj_image_destroy);
    if (!header_read || !image) {
        throw std::runtime_error("damaged JPEG 2000 frame: " + (error.empty() ? "unreadable header" : error));
    }
    if (image->numcomps != 1) {
        throw std::runtime_error("JPEG 2000 frame has " + std::to_string(image->numcomps) +
                                 " components; only grayscale (1) is supported");
    }
    const OPJ_UINT32 width = image->x1 - image->x0;
    const OPJ_UINT32 height = image->y1 - image->y0;
    if (width == 0 || height == 0 || width > static_cast<OPJ_UINT32>(kMaxImageDimension) ||
        height > static_cast<OPJ_UINT32>(kMaxImageDimension)) {
        throw std::runtime_error("JPEG 2000 frame size " + std::to_string(width) + "x" + std::to_string(height) +
                                 " is outside 1.." + std::to_string(kMaxImageDimension));
    }
    if (const std::string excess = pixelLimitExcess(width, height); !excess.empty()) throw std::runtime_error("JPEG 2000 frame " + excess);
    if (!opj_decode(codec.get(), stream.get(), image.get()) || !opj_end_decompress(codec.get(), stream.get())) {
        throw std::runtime_error("damaged JPEG 2000 frame: " + (error.empty() ? "decoding failed" : error));
    }
    const opj_image_comp_t& component = image->comps[0];
    if (component.data == nullptr || component.w != width || component.h != height || component.prec > 16 ||
        component.prec == 0) {
        throw std::runtime_error("JPEG 2000 frame decoded to an unexpected component (" + std::to_string(component.w) +
                                 "x" + std::to_string(component.h) + ", " + std::to_string(component.prec) + " bits)");
    }
    StoredFrame frame;
    frame.width = static_cast<int>(width);
    frame.height = static_cast<int>(height);
    frame.bits_stored = static_cast<int>(component.prec);
    frame.is_signed = component.sgnd != 0;
    frame.values.assign(component.data, component.data + static_cast<size_t>(width) * height);
    return frame;
}

}  // namespace dpflow
