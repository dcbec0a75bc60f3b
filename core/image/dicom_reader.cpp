#include "image/dicom_reader.h"

#include "image/dicom_codecs.h"
#include "image/dicom_length_check.h"
#include "image/image_error.h"
#include "image/image_limits.h"
#include "image/jpeg2000_decoder.h"
#include "image/transfer_syntax.h"
#include "image/voi_transform.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <limits>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

namespace dpflow {
namespace {

// The pixel-describing attributes of the Image Pixel module that decoding depends on.
struct PixelLayout {
    int rows = 0;
    int columns = 0;
    int bits_allocated = 0;
    int bits_stored = 0;
    int high_bit = 0;
    bool is_signed = false;
    long frames = 1;
    std::string photometric;
};

std::string stringOf(DcmItem& item, const DcmTagKey& tag) {
    OFString value;
    if (item.findAndGetOFStringArray(tag, value).bad()) {
        return {};
    }
    return std::string(value.c_str());
}

// DCMTK's findAndGet functions zero their output when the attribute is missing, so defaults
// must be applied afterwards.
Uint16 uint16Or(DcmItem& item, const DcmTagKey& tag, Uint16 fallback) {
    Uint16 value = 0;
    return item.findAndGetUint16(tag, value).good() ? value : fallback;
}

Float64 float64Or(DcmItem& item, const DcmTagKey& tag, Float64 fallback) {
    Float64 value = 0.0;
    return item.findAndGetFloat64(tag, value).good() ? value : fallback;
}

int requiredUint16(DcmItem& item, const DcmTagKey& tag, const std::filesystem::path& path) {
    Uint16 value = 0;
    if (item.findAndGetUint16(tag, value).bad()) {
        throw ImageError(path, "missing or invalid " + std::string(DcmTag(tag).getTagName()) +
                                   " in the Image Pixel module");
    }
    return value;
}

PixelLayout readLayout(DcmItem& dataset, const std::filesystem::path& path) {
    PixelLayout layout;
    layout.photometric = stringOf(dataset, DCM_PhotometricInterpretation);
    const Uint16 samples = uint16Or(dataset, DCM_SamplesPerPixel, 1);
    if (layout.photometric.empty()) {
        throw ImageError(path, "missing Photometric Interpretation");
    }
    if (layout.photometric != "MONOCHROME1" && layout.photometric != "MONOCHROME2") {
        throw ImageError(path, "colour image (photometric interpretation " + layout.photometric +
                                   ") is not supported: only grayscale MONOCHROME1/MONOCHROME2 images");
    }
    if (samples != 1) {
        throw ImageError(path, "image has " + std::to_string(samples) +
                                   " samples per pixel; only grayscale (1 sample) is supported");
    }
    layout.rows = requiredUint16(dataset, DCM_Rows, path);
    layout.columns = requiredUint16(dataset, DCM_Columns, path);
    if (layout.rows == 0 || layout.columns == 0) {
        throw ImageError(path, "zero-size image (" + std::to_string(layout.columns) + "x" +
                                   std::to_string(layout.rows) + ")");
    }
    if (layout.rows > kMaxImageDimension || layout.columns > kMaxImageDimension) {
        throw ImageError(path, "declared size " + std::to_string(layout.columns) + "x" + std::to_string(layout.rows) +
                                   " exceeds the limit of " + std::to_string(kMaxImageDimension) + " pixels per side");
    }
    requireWithinPixelLimit(path, layout.columns, layout.rows);
    layout.bits_allocated = requiredUint16(dataset, DCM_BitsAllocated, path);
    if (layout.bits_allocated != 8 && layout.bits_allocated != 16) {
        throw ImageError(path, "Bits Allocated " + std::to_string(layout.bits_allocated) +
                                   " is not supported (8 or 16 expected)");
    }
    layout.bits_stored = requiredUint16(dataset, DCM_BitsStored, path);
    layout.high_bit = uint16Or(dataset, DCM_HighBit, static_cast<Uint16>(layout.bits_stored - 1));
    if (layout.bits_stored < 1 || layout.bits_stored > layout.bits_allocated ||
        layout.high_bit < layout.bits_stored - 1 || layout.high_bit >= layout.bits_allocated) {
        throw ImageError(path, "inconsistent bit layout (Bits Allocated " + std::to_string(layout.bits_allocated) +
                                   ", Bits Stored " + std::to_string(layout.bits_stored) + ", High Bit " +
                                   std::to_string(layout.high_bit) + ")");
    }
    layout.is_signed = uint16Or(dataset, DCM_PixelRepresentation, 0) == 1;
    Sint32 frames = 1;
    if (dataset.findAndGetSint32(DCM_NumberOfFrames, frames).good() && frames > 1) {
        layout.frames = frames;
    }
    return layout;
}

int32_t signExtend(uint32_t raw, int bits) {
    const uint32_t sign = 1u << (bits - 1);
    return static_cast<int32_t>((raw ^ sign)) - static_cast<int32_t>(sign);
}

// Stored values from a frame buffer in host byte order, as DCMTK hands it out: the bits
// [high_bit - bits_stored + 1, high_bit] of each allocated word, sign-extended if signed.
// `buffer` holds at least one frame (checked by the caller).
StoredFrame unpackFrame(const uint8_t* buffer, const PixelLayout& layout) {
    StoredFrame frame;
    frame.width = layout.columns;
    frame.height = layout.rows;
    frame.bits_stored = layout.bits_stored;
    frame.is_signed = layout.is_signed;
    const size_t count = static_cast<size_t>(layout.rows) * layout.columns;
    frame.values.resize(count);
    const int shift = layout.high_bit - layout.bits_stored + 1;
    const uint32_t mask = (1u << layout.bits_stored) - 1u;
    for (size_t i = 0; i < count; ++i) {
        uint32_t word = buffer[i];
        if (layout.bits_allocated == 16) {
            Uint16 value = 0;
            std::memcpy(&value, buffer + 2 * i, sizeof(value));
            word = value;
        }
        const uint32_t raw = (word >> shift) & mask;
        frame.values[i] = static_cast<float>(layout.is_signed ? signExtend(raw, layout.bits_stored) : static_cast<int32_t>(raw));
    }
    return frame;
}

DcmPixelData& pixelDataOf(DcmDataset& dataset, const std::filesystem::path& path) {
    DcmElement* element = nullptr;
    if (dataset.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr) {
        const std::string sop_class = stringOf(dataset, DCM_SOPClassUID);
        if (dataset.tagExists(DCM_FloatPixelData) || dataset.tagExists(DCM_DoubleFloatPixelData)) {
            throw ImageError(path, "floating-point pixel data is not supported");
        }
        const std::string what = sop_class.empty()
                                     ? "the dataset has no SOP Class UID"
                                     : std::string(dcmFindNameOfUID(sop_class.c_str(), sop_class.c_str()));
        throw ImageError(path, "not an image: no Pixel Data (" + what + ")");
    }
    auto* pixel_data = dynamic_cast<DcmPixelData*>(element);
    if (pixel_data == nullptr) {
        throw ImageError(path, "malformed Pixel Data element");
    }
    return *pixel_data;
}

// The bytes of the first frame's JPEG 2000 codestream: fragments from the first one up to the
// one that ends with the EOC marker (FFD9, possibly followed by one padding byte), which also
// handles frames split over several fragments without a Basic Offset Table.
std::vector<uint8_t> firstFrameFragments(DcmPixelData& pixel_data, E_TransferSyntax xfer,
                                         const std::filesystem::path& path) {
    DcmPixelSequence* sequence = nullptr;
    if (pixel_data.getEncapsulatedRepresentation(xfer, nullptr, sequence).bad() || sequence == nullptr ||
        sequence->card() < 2) {
        throw ImageError(path, "JPEG 2000 pixel data is not encapsulated in fragments");
    }
    std::vector<uint8_t> bytes;
    for (unsigned long i = 1; i < sequence->card(); ++i) {
        DcmPixelItem* item = nullptr;
        Uint8* data = nullptr;
        if (sequence->getItem(item, i).bad() || item->getUint8Array(data).bad()) {
            throw ImageError(path, "unreadable JPEG 2000 fragment " + std::to_string(i));
        }
        const Uint32 length = item->getLength();
        if (data != nullptr) {
            bytes.insert(bytes.end(), data, data + length);
        }
        const size_t n = bytes.size();
        const bool ends_frame = (n >= 2 && bytes[n - 2] == 0xFF && bytes[n - 1] == 0xD9) ||
                                (n >= 3 && bytes[n - 3] == 0xFF && bytes[n - 2] == 0xD9 && bytes[n - 1] == 0x00);
        if (ends_frame) {
            break;
        }
    }
    return bytes;
}

StoredFrame decodeWithOpenJpeg(DcmDataset& dataset, DcmPixelData& pixel_data, const PixelLayout& layout,
                               const std::filesystem::path& path) {
    const std::vector<uint8_t> codestream = firstFrameFragments(pixel_data, dataset.getOriginalXfer(), path);
    StoredFrame frame;
    try {
        frame = decodeJpeg2000(codestream);
    } catch (const std::runtime_error& error) {
        throw ImageError(path, error.what());
    }
    if (frame.width != layout.columns || frame.height != layout.rows) {
        throw ImageError(path, "JPEG 2000 frame is " + std::to_string(frame.width) + "x" +
                                   std::to_string(frame.height) + " but the header says " +
                                   std::to_string(layout.columns) + "x" + std::to_string(layout.rows));
    }
    if (layout.is_signed && !frame.is_signed) {
        // Some encoders mark signed data unsigned in the codestream; the DICOM header rules.
        for (float& value : frame.values) {
            value = static_cast<float>(signExtend(static_cast<uint32_t>(static_cast<int32_t>(value)) & ((1u << layout.bits_stored) - 1u),
                                                  layout.bits_stored));
        }
    }
    frame.bits_stored = layout.bits_stored;
    frame.is_signed = layout.is_signed;
    return frame;
}

// The first fragment of the first frame (after the offset table), as DCMTK's decoders see it.
std::pair<const Uint8*, Uint32> firstFragment(DcmPixelData& pixel_data, E_TransferSyntax xfer, const char* what,
                                              const std::filesystem::path& path) {
    DcmPixelSequence* sequence = nullptr;
    if (pixel_data.getEncapsulatedRepresentation(xfer, nullptr, sequence).bad() || sequence == nullptr || sequence->card() < 2)
        throw ImageError(path, std::string(what) + " pixel data is not encapsulated in fragments");
    DcmPixelItem* item = nullptr;
    Uint8* data = nullptr;
    if (sequence->getItem(item, 1).bad() || item->getUint8Array(data).bad() || data == nullptr)
        throw ImageError(path, std::string("unreadable ") + what + " fragment");
    return {data, item->getLength()};
}

constexpr char kRleLosslessUid[] = "1.2.840.10008.1.2.5";

// Checks the RLE header of the first frame (PS3.5 G.5) before DCMTK decodes it: DCMTK 3.6.7
// follows the segment offsets without checking them, and a 1,274-byte file whose offset points
// outside the fragment crashed `dpflow info` (a fuzz finding). The frame is the first fragment
// after the offset table; its 64-byte header holds the number of segments (one per byte of
// each sample: Bits Allocated / 8 for grayscale) and their offsets, which must start at 64,
// increase, and lie inside the fragment.
void requireSoundRleHeader(DcmPixelData& pixel_data, E_TransferSyntax xfer, const PixelLayout& layout,
                           const std::filesystem::path& path) {
    const std::pair<const Uint8*, Uint32> fragment = firstFragment(pixel_data, xfer, "RLE", path);
    const Uint8* data = fragment.first;
    const Uint32 length = fragment.second;
    const auto word = [data](std::size_t index) {
        return static_cast<Uint32>(data[4 * index]) | (static_cast<Uint32>(data[4 * index + 1]) << 8) |
               (static_cast<Uint32>(data[4 * index + 2]) << 16) | (static_cast<Uint32>(data[4 * index + 3]) << 24);
    };
    if (length < 64) throw ImageError(path, "damaged RLE data: the frame is shorter than its 64-byte header");
    const Uint32 segments = word(0);
    const Uint32 expected = static_cast<Uint32>(layout.bits_allocated / 8);
    if (segments != expected)
        throw ImageError(path, "damaged RLE data: " + std::to_string(segments) + " segment(s), but " +
                                   std::to_string(layout.bits_allocated) + " bits allocated need " + std::to_string(expected));
    Uint32 previous = 0;
    for (Uint32 i = 0; i < segments; ++i) {
        const Uint32 offset = word(1 + i);
        if ((i == 0 && offset != 64) || (i > 0 && offset <= previous) || offset >= length)
            throw ImageError(path, "damaged RLE data: segment " + std::to_string(i + 1) + " starts at byte " + std::to_string(offset) +
                                       " of a " + std::to_string(length) + "-byte frame");
        previous = offset;
    }
}

// The transfer syntaxes DCMTK's JPEG decoder (dcmjpeg) reads.
bool isDcmjpegSyntax(const std::string& uid) {
    return uid == "1.2.840.10008.1.2.4.50" || uid == "1.2.840.10008.1.2.4.51" || uid == "1.2.840.10008.1.2.4.57" ||
           uid == "1.2.840.10008.1.2.4.70";
}

// Walks the JPEG markers of the first fragment from SOI to the frame header (SOF) before DCMTK
// decodes: DCMTK 3.6.7 looks for the SOF to learn the bit depth and loops forever when it meets
// bytes that are not a marker on the way (a 1,008-byte file hung `dpflow info`: a fuzz finding).
// Standalone markers (TEM, RSTn) take 2 bytes, every other marker segment its 2-byte length
// (at least 2) plus 2; fill bytes (0xFF) before a marker are allowed.
void requireJpegMarkersUpToTheFrameHeader(const Uint8* data, Uint32 length, const std::filesystem::path& path) {
    if (length < 4 || data[0] != 0xFF || data[1] != 0xD8) throw ImageError(path, "damaged JPEG data: no start of image (SOI)");
    Uint32 at = 2;
    while (at + 4 <= length) {
        if (data[at] != 0xFF)
            throw ImageError(path, "damaged JPEG data: byte " + std::to_string(at) + " is not a marker, before any frame header (SOF)");
        const Uint8 marker = data[at + 1];
        if (marker == 0xFF) {  // a fill byte
            ++at;
            continue;
        }
        const bool frame_header = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (frame_header) return;
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
            at += 2;
            continue;
        }
        if (marker == 0x00 || marker == 0xD8 || marker == 0xD9 || marker == 0xDA)
        {
            char name[8];
            std::snprintf(name, sizeof(name), "FF%02X", marker);
            throw ImageError(path, std::string("damaged JPEG data: marker ") + name + " at byte " + std::to_string(at) +
                                       " before any frame header (SOF)");
        }
        const Uint32 segment = (Uint32{data[at + 2]} << 8) | data[at + 3];
        if (segment < 2) throw ImageError(path, "damaged JPEG data: marker segment of length " + std::to_string(segment) + " at byte " + std::to_string(at));
        at += 2 + segment;
    }
    throw ImageError(path, "damaged JPEG data: no frame header (SOF)");
}

StoredFrame decodeWithDcmtk(DcmDataset& dataset, DcmPixelData& pixel_data, const PixelLayout& layout,
                            const TransferSyntaxInfo& syntax, const std::filesystem::path& path) {
    if (syntax.uid == kRleLosslessUid) requireSoundRleHeader(pixel_data, dataset.getOriginalXfer(), layout, path);
    if (isDcmjpegSyntax(syntax.uid)) {
        const std::pair<const Uint8*, Uint32> fragment = firstFragment(pixel_data, dataset.getOriginalXfer(), "JPEG", path);
        requireJpegMarkersUpToTheFrameHeader(fragment.first, fragment.second, path);
    }
    Uint32 frame_size = 0;
    if (pixel_data.getUncompressedFrameSize(&dataset, frame_size).bad() || frame_size == 0) {
        throw ImageError(path, "cannot determine the size of a frame");
    }
    const size_t needed = static_cast<size_t>(layout.rows) * layout.columns * (layout.bits_allocated / 8);
    if (frame_size < needed) {
        throw ImageError(path, "inconsistent frame size");
    }
    if (syntax.decoder == PixelDecoder::Native && pixel_data.getLength() < needed) {
        throw ImageError(path, "pixel data holds " + std::to_string(pixel_data.getLength()) + " bytes, but one " +
                                   std::to_string(layout.columns) + "x" + std::to_string(layout.rows) + " frame at " +
                                   std::to_string(layout.bits_allocated) + " bits allocated needs " +
                                   std::to_string(needed));
    }
    if (syntax.decoder == PixelDecoder::Native) {
        // The stored values are unpacked straight from the dataset's own copy (in host byte
        // order once loaded): no second raw buffer of the frame. A value DCMTK does not hand
        // out as such (8-bit values stored as OW) takes the copying path below.
        if (layout.bits_allocated == 16) {
            Uint16* words = nullptr;
            if (pixel_data.getUint16Array(words).good() && words != nullptr)
                return unpackFrame(reinterpret_cast<const uint8_t*>(words), layout);
        } else {
            Uint8* bytes = nullptr;
            if (pixel_data.getUint8Array(bytes).good() && bytes != nullptr) return unpackFrame(bytes, layout);
        }
    }
    // DCMTK refuses an odd buffer size (an odd 8-bit frame), so round it up to even.
    const Uint32 buffer_size = frame_size + frame_size % 2;
    std::vector<uint8_t> buffer(buffer_size);
    Uint32 start_fragment = 0;
    OFString color_model;
    const OFCondition status =
        pixel_data.getUncompressedFrame(&dataset, 0, start_fragment, buffer.data(), buffer_size, color_model);
    if (status.bad()) {
        throw ImageError(path, "cannot decode the pixel data (" + syntax.name + "): " + status.text());
    }
    return unpackFrame(buffer.data(), layout);
}

// A Modality or VOI LUT from a sequence item; nullopt (with a warning) when it is malformed.
std::optional<LookupTable> readLookupTable(DcmItem& item, const char* what, std::vector<std::string>& warnings) {
    Uint16 descriptor[3] = {};
    Sint16 signed_first = 0;
    for (unsigned long i = 0; i < 3; ++i) {
        if (item.findAndGetUint16(DCM_LUTDescriptor, descriptor[i], i).bad()) {
            Sint16 value = 0;
            if (item.findAndGetSint16(DCM_LUTDescriptor, value, i).bad()) {
                warnings.push_back(std::string(what) + " ignored: LUT Descriptor missing or malformed");
                return std::nullopt;
            }
            descriptor[i] = static_cast<Uint16>(value);
            if (i == 1) {
                signed_first = value;
            }
        }
    }
    const Uint16* data = nullptr;
    unsigned long words = 0;
    if (item.findAndGetUint16Array(DCM_LUTData, data, &words).bad() || data == nullptr) {
        warnings.push_back(std::string(what) + " ignored: LUT Data missing");
        return std::nullopt;
    }
    LookupTable table;
    const size_t count = descriptor[0] == 0 ? 65536 : descriptor[0];
    table.first_mapped = signed_first != 0 ? signed_first : descriptor[1];
    table.output_bits = descriptor[2];
    if (table.output_bits < 8 || table.output_bits > 16) {
        warnings.push_back(std::string(what) + " ignored: " + std::to_string(table.output_bits) + " bits per entry");
        return std::nullopt;
    }
    if (words >= count) {
        table.entries.assign(data, data + count);
    } else if (table.output_bits == 8 && words * 2 >= count) {
        // 8-bit entries packed two per 16-bit word, low byte first (PS3.5 8.1.1 byte order).
        for (size_t i = 0; i < count; ++i) {
            table.entries.push_back(static_cast<uint16_t>(i % 2 == 0 ? data[i / 2] & 0xFF : data[i / 2] >> 8));
        }
    } else {
        warnings.push_back(std::string(what) + " ignored: LUT Data has " + std::to_string(words) +
                           " entries, descriptor declares " + std::to_string(count));
        return std::nullopt;
    }
    table.explanation = stringOf(item, DCM_LUTExplanation);
    return table;
}

std::string withExplanation(std::string source, const std::string& explanation) {
    return explanation.empty() ? source : source + " \"" + explanation + "\"";
}

VoiFunction voiFunctionOf(DcmItem& dataset, std::vector<std::string>& warnings) {
    const std::string function = stringOf(dataset, DCM_VOILUTFunction);
    if (function == "SIGMOID") {
        return VoiFunction::Sigmoid;
    }
    if (function == "LINEAR_EXACT") {
        return VoiFunction::LinearExact;
    }
    if (!function.empty() && function != "LINEAR") {
        warnings.push_back("unknown VOI LUT Function " + function + ", using LINEAR");
    }
    return VoiFunction::Linear;
}

// Chooses the VOI step as documented in dicom_reader.h and records it in `image`.
void chooseVoi(DcmDataset& dataset, const StoredFrame& frame, const ImageReadOptions& options,
               DisplayTransform& transform, Image& image) {
    if (options.window) {
        transform.window = *options.window;
        image.window = transform.window;
        image.window_source = "user window";
        return;
    }
    DcmItem* item = nullptr;
    if (dataset.findAndGetSequenceItem(DCM_VOILUTSequence, item, 0).good() && item != nullptr) {
        if (auto lut = readLookupTable(*item, "VOI LUT", image.warnings)) {
            DcmSequenceOfItems* sequence = nullptr;
            dataset.findAndGetSequence(DCM_VOILUTSequence, sequence);
            image.window_source = withExplanation("file VOI LUT 1 of " + std::to_string(sequence->card()),
                                                  lut->explanation);
            transform.voi_lut = std::move(lut);
            return;
        }
    }
    DcmElement* centers = nullptr;
    DcmElement* widths = nullptr;
    if (dataset.findAndGetElement(DCM_WindowCenter, centers).good() &&
        dataset.findAndGetElement(DCM_WindowWidth, widths).good()) {
        const VoiFunction function = voiFunctionOf(dataset, image.warnings);
        const unsigned long count = std::min(centers->getVM(), widths->getVM());
        for (unsigned long i = 0; i < count; ++i) {
            Float64 center = 0.0;
            Float64 width = 0.0;
            if (centers->getFloat64(center, i).bad() || widths->getFloat64(width, i).bad() ||
                !std::isfinite(center) || !std::isfinite(width) ||
                width < (function == VoiFunction::Linear ? 1.0 : std::numeric_limits<double>::min())) {
                image.warnings.push_back("file window " + std::to_string(i + 1) + " is invalid and was skipped");
                continue;
            }
            OFString explanation;
            dataset.findAndGetOFString(DCM_WindowCenterWidthExplanation, explanation, i);
            transform.window = DisplayWindow{center, width};
            transform.function = function;
            image.window = transform.window;
            image.window_source = withExplanation(
                "file window " + std::to_string(i + 1) + " of " + std::to_string(count), explanation.c_str());
            if (function != VoiFunction::Linear) {
                image.window_source += function == VoiFunction::Sigmoid ? ", SIGMOID" : ", LINEAR_EXACT";
            }
            return;
        }
    }
    const auto [low, high] = modalityRange(frame, transform);
    transform.window = minMaxWindow(low, high);
    image.window = transform.window;
    image.window_source = "min-max of the frame (no window in the file)";
}

// A file mapped read-only, so that checking its element headers reads only their pages.
class MappedFile {
public:
    explicit MappedFile(const std::filesystem::path& path) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw ImageError(path, std::string("cannot open: ") + std::strerror(errno));
        struct stat status {};
        if (::fstat(fd, &status) == 0 && status.st_size > 0) {
            size_ = static_cast<std::size_t>(status.st_size);
            void* mapped = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
            data_ = mapped == MAP_FAILED ? nullptr : static_cast<const unsigned char*>(mapped);
        }
        ::close(fd);
        if (data_ == nullptr) throw ImageError(path, "cannot read the file");
    }
    ~MappedFile() { ::munmap(const_cast<unsigned char*>(data_), size_); }
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    const unsigned char* data() const { return data_; }
    std::size_t size() const { return size_; }

private:
    const unsigned char* data_ = nullptr;
    std::size_t size_ = 0;
};

// Bytes in an anonymous memory file (memfd), for a reader that takes a file name: reachable as
// /proc/self/fd/N while this object lives.
class MemoryFile {
public:
    MemoryFile(const std::vector<unsigned char>& bytes, const std::filesystem::path& path) : fd_(::memfd_create("dpflow-dicom", MFD_CLOEXEC)) {
        if (fd_ < 0) throw ImageError(path, std::string("cannot make a memory file: ") + std::strerror(errno));
        for (std::size_t written = 0; written < bytes.size();) {
            const ssize_t n = ::write(fd_, bytes.data() + written, bytes.size() - written);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                ::close(fd_);
                throw ImageError(path, std::string("cannot fill a memory file: ") + std::strerror(errno));
            }
            written += static_cast<std::size_t>(n);
        }
    }
    ~MemoryFile() { ::close(fd_); }
    MemoryFile(const MemoryFile&) = delete;
    MemoryFile& operator=(const MemoryFile&) = delete;
    std::string name() const { return "/proc/self/fd/" + std::to_string(fd_); }

private:
    int fd_;
};

// Refuses a file whose elements declare more bytes than it holds, before DCMTK allocates them.
// A deflated dataset may inflate to at most what the largest image allowed needs, twice over
// (16 bits a pixel), plus room for its header.
void requireHonestLengths(const unsigned char* data, std::size_t size, const std::filesystem::path& path) {
    const std::size_t max_inflated = static_cast<std::size_t>(maxImagePixels()) * 2 + (std::size_t{64} << 20);
    if (const std::string lie = findDicomLengthLie(data, size, max_inflated); !lie.empty())
        throw ImageError(path, "truncated or malformed DICOM file: " + lie);
}

void loadDicom(const std::filesystem::path& path, DcmFileFormat& file) {
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
        throw ImageError(path, "is a folder, not an image file");
    }
    if (!std::filesystem::exists(path, error)) {
        throw ImageError(path, "no such file");
    }
    if (std::filesystem::file_size(path, error) == 0) {
        throw ImageError(path, "empty file");
    }
    {
        // Only the element headers are read (the pages of the values are never touched).
        const MappedFile mapped(path);
        requireHonestLengths(mapped.data(), mapped.size(), path);
    }
    const OFCondition status =
        file.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect);
    if (status.bad()) {
        throw ImageError(path, std::string("truncated or malformed DICOM file (") + status.text() + ")");
    }
}

// The first frame of a loaded file as display values (see readDicom).
Image imageOfDicom(DcmFileFormat& file, const std::filesystem::path& path, const ImageReadOptions& options) {
    DcmDataset& dataset = *file.getDataset();

    std::string xfer_uid = stringOf(*file.getMetaInfo(), DCM_TransferSyntaxUID);
    if (xfer_uid.empty()) {
        xfer_uid = DcmXfer(dataset.getOriginalXfer()).getXferID();
    }
    const TransferSyntaxInfo syntax = lookUpTransferSyntax(xfer_uid);

    DcmPixelData& pixel_data = pixelDataOf(dataset, path);
    if (syntax.decoder == PixelDecoder::None) {
        throw ImageError(path, "transfer syntax " + syntax.name + " (" + syntax.uid + ") has no decoder here");
    }
    const PixelLayout layout = readLayout(dataset, path);

    StoredFrame frame = syntax.decoder == PixelDecoder::OpenJpeg
                                  ? decodeWithOpenJpeg(dataset, pixel_data, layout, path)
                                  : decodeWithDcmtk(dataset, pixel_data, layout, syntax, path);

    Image image;
    image.width = frame.width;
    image.height = frame.height;
    image.stored_bits = layout.bits_stored;
    image.photometric = layout.photometric;
    image.transfer_syntax = syntax.name;
    image.source_path = path;
    if (layout.frames > 1) {
        image.warnings.push_back("multi-frame: showing frame 1 of " + std::to_string(layout.frames));
    }

    DisplayTransform transform;
    DcmItem* modality_item = nullptr;
    if (dataset.findAndGetSequenceItem(DCM_ModalityLUTSequence, modality_item, 0).good() && modality_item) {
        transform.modality_lut = readLookupTable(*modality_item, "Modality LUT", image.warnings);
    }
    if (!transform.modality_lut) {
        Float64 slope = float64Or(dataset, DCM_RescaleSlope, 1.0);
        const Float64 intercept = float64Or(dataset, DCM_RescaleIntercept, 0.0);
        if (slope == 0.0 || !std::isfinite(slope)) {
            image.warnings.push_back("Rescale Slope " + std::to_string(slope) + " is invalid, using 1");
            slope = 1.0;
        }
        transform.rescale_slope = slope;
        transform.rescale_intercept = std::isfinite(intercept) ? intercept : 0.0;
    }
    chooseVoi(dataset, frame, options, transform, image);
    transform.invert = layout.photometric == "MONOCHROME1" || stringOf(dataset, DCM_PresentationLUTShape) == "INVERSE";
    image.pixels = renderDisplay(std::move(frame), transform);

    Float64 row_spacing = 0.0;
    Float64 column_spacing = 0.0;
    for (const DcmTagKey& tag : {DCM_PixelSpacing, DCM_ImagerPixelSpacing}) {
        if (dataset.findAndGetFloat64(tag, row_spacing, 0).good() &&
            dataset.findAndGetFloat64(tag, column_spacing, 1).good() && row_spacing > 0 && column_spacing > 0) {
            image.pixel_spacing_mm = std::array<double, 2>{row_spacing, column_spacing};
            break;
        }
    }
    return image;
}

}  // namespace

void loadDicomBytes(const std::vector<unsigned char>& bytes, const std::filesystem::path& path, DcmFileFormat& file) {
    if (bytes.empty()) throw ImageError(path, "empty file");
    requireHonestLengths(bytes.data(), bytes.size(), path);
    // Reading from a file, DCMTK refuses an element longer than the rest of the file before it
    // allocates anything; reading from a memory buffer it allocates whatever an element
    // declares. So the bytes reach DCMTK as a file, an anonymous one in memory, and every value
    // is loaded before it goes away.
    const MemoryFile memory(bytes, path);
    OFCondition status = file.loadFile(memory.name().c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect);
    if (status.good()) status = file.loadAllDataIntoMemory();
    if (status.bad()) {
        throw ImageError(path, std::string("truncated or malformed DICOM file (") + status.text() + ")");
    }
}

Image readDicom(const std::filesystem::path& path, const ImageReadOptions& options) {
    prepareDcmtk();
    DcmFileFormat file;
    loadDicom(path, file);
    return imageOfDicom(file, path, options);
}

Image readDicomBytes(const std::vector<unsigned char>& bytes, const std::filesystem::path& path, const ImageReadOptions& options) {
    prepareDcmtk();
    DcmFileFormat file;
    loadDicomBytes(bytes, path, file);
    return imageOfDicom(file, path, options);
}

}  // namespace dpflow
