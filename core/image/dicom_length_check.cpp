#include "image/dicom_length_check.h"

#include "image/image_limits.h"

#include <dcmtk/dcmdata/dcxfer.h>
#include <fmt/format.h>
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

namespace dpflow {
namespace {

constexpr std::uint32_t kUndefinedLength = 0xFFFFFFFFu;

// The standard VRs (PS3.5 6.2). DCMTK reads a meta header, or a dataset without one, as explicit
// VR when its first element carries one of these, and as implicit VR otherwise.
bool isStandardVr(const unsigned char* vr) {
    static const char* const kVrs[] = {"AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT", "OB", "OD", "OF", "OL", "OV",
                                       "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV"};
    for (const char* candidate : kVrs)
        if (vr[0] == static_cast<unsigned char>(candidate[0]) && vr[1] == static_cast<unsigned char>(candidate[1])) return true;
    return false;
}

struct Encoding {
    bool explicit_vr = true;
    bool little_endian = true;
};

class ElementWalker {
public:
    ElementWalker(const unsigned char* data, std::size_t size, std::size_t start) : data_(data), size_(size), pos_(start) {}

    std::size_t position() const { return pos_; }

    // Walks elements until the end of the bytes, or (stop_after_group) until the first element
    // of another group. Returns the first lie, or "" (also when the bytes end mid-header).
    // `only_group` ends the walk at the first element of another group, but not before byte
    // `any_group_until` (the end a meta header's group length gives).
    std::string walk(Encoding encoding, std::optional<std::uint16_t> only_group, std::string* transfer_syntax = nullptr,
                     std::size_t any_group_until = 0) {
        while (pos_ + 8 <= size_) {
            while (!open_.empty() && open_.back().end <= pos_) open_.pop_back();  // defined-length containers that ended
            const std::uint16_t group = u16(pos_, encoding.little_endian);
            const std::uint16_t element = u16(pos_ + 2, encoding.little_endian);
            if (only_group && group != *only_group && pos_ >= any_group_until) return {};
            std::size_t header = 8;
            std::uint32_t length = 0;
            bool container = false;
            Kind kind = Kind::Sequence;
            if (group == 0xFFFE) {  // item, item delimiter, sequence delimiter: no VR, 4-byte length
                length = u32(pos_ + 4, encoding.little_endian);
                if (element == 0xE00D || element == 0xE0DD) {  // closes the innermost item, or sequence / pixel data
                    const Kind closes = element == 0xE00D ? Kind::Item : Kind::Sequence;
                    while (!open_.empty()) {
                        const Kind top = open_.back().kind;
                        open_.pop_back();
                        if (top == closes || (closes == Kind::Sequence && top == Kind::Fragments)) break;
                    }
                    pos_ += 8;
                    continue;
                }
                // An item of a sequence holds elements; an item of encapsulated pixel data is a fragment.
                container = !open_.empty() && open_.back().kind == Kind::Sequence;
                kind = Kind::Item;
            } else if (encoding.explicit_vr) {
                const char vr[2] = {static_cast<char>(data_[pos_ + 4]), static_cast<char>(data_[pos_ + 5])};
                if (hasLongLength(vr)) {
                    if (pos_ + 12 > size_) return {};
                    length = u32(pos_ + 8, encoding.little_endian);
                    header = 12;
                } else {
                    length = u16(pos_ + 6, encoding.little_endian);
                }
                container = vr[0] == 'S' && vr[1] == 'Q';
                if (!container && length == kUndefinedLength) kind = Kind::Fragments;  // encapsulated pixel data
            } else {
                length = u32(pos_ + 4, encoding.little_endian);
                // Implicit VR does not say which elements are sequences: one whose value starts
                // with an item tag is walked into.
                container = length == kUndefinedLength ||
                            (length >= 8 && pos_ + 12 <= size_ && u16(pos_ + 8, encoding.little_endian) == 0xFFFE &&
                             u16(pos_ + 10, encoding.little_endian) == 0xE000);
                if (length == kUndefinedLength && group == 0x7FE0) kind = Kind::Fragments;
            }
            pos_ += header;
            if (length == kUndefinedLength) {  // a sequence, item or encapsulated pixel data: its content follows
                open_.push_back(Open{kind, SIZE_MAX});
                continue;
            }
            const std::size_t remaining = size_ - pos_;
            if (length > remaining)
                return fmt::format("element ({:04X},{:04X}) declares {} bytes, but only {} follow", group, element, length, remaining);
            // The transfer syntax counts only as DCMTK takes it: a UI value (any value in an
            // implicit VR meta header); under another VR DCMTK does not know the syntax either.
            const bool ui = !encoding.explicit_vr || (data_[pos_ - header + 4] == 'U' && data_[pos_ - header + 5] == 'I');
            if (transfer_syntax && group == 0x0002 && element == 0x0010 && ui) {
                transfer_syntax->assign(reinterpret_cast<const char*>(data_ + pos_), length);
                while (!transfer_syntax->empty() && (transfer_syntax->back() == '\0' || transfer_syntax->back() == ' '))
                    transfer_syntax->pop_back();
            }
            if (container)
                open_.push_back(Open{kind, pos_ + length});  // its content is walked
            else
                pos_ += length;
        }
        return {};
    }

private:
    enum class Kind { Sequence, Item, Fragments };
    struct Open {
        Kind kind;
        std::size_t end;  // SIZE_MAX: undefined length, closed by a delimiter
    };

    // Whether a VR has 2 reserved bytes and a 4-byte length, as DCMTK reads it: the standard
    // ones of PS3.5 7.1.2; a non-standard VR of two upper-case letters does ("assuming 4 byte
    // length field"), any other non-standard VR does not ("assuming 2 byte length field").
    // The walk must read a file exactly as DCMTK will.
    static bool hasLongLength(const char vr[2]) {
        static const char* const kShort[] = {"AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO",
                                             "LT", "PN", "SH", "SL", "SS", "ST", "TM", "UI", "UL", "US"};
        for (const char* candidate : kShort)
            if (vr[0] == candidate[0] && vr[1] == candidate[1]) return false;
        const auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
        return upper(vr[0]) && upper(vr[1]);
    }
    std::uint16_t u16(std::size_t at, bool little) const {
        return little ? static_cast<std::uint16_t>(data_[at] | (data_[at + 1] << 8))
                      : static_cast<std::uint16_t>((data_[at] << 8) | data_[at + 1]);
    }
    std::uint32_t u32(std::size_t at, bool little) const {
        const std::uint32_t a = data_[at], b = data_[at + 1], c = data_[at + 2], d = data_[at + 3];
        return little ? a | (b << 8) | (c << 16) | (d << 24) : (a << 24) | (b << 16) | (c << 8) | d;
    }

    const unsigned char* data_;
    std::size_t size_;
    std::size_t pos_;
    std::vector<Open> open_;  // the sequences, items and pixel data being walked through, innermost last
};

// Inflates a raw deflate stream, stopping at `cap` bytes (nullopt when it would exceed it).
// A damaged stream yields what inflated before the damage: DCMTK reports the damage itself.
std::optional<std::vector<unsigned char>> inflateAtMost(const unsigned char* data, std::size_t size, std::size_t cap) {
    z_stream stream{};
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) return std::vector<unsigned char>{};
    std::vector<unsigned char> out;
    unsigned char chunk[1 << 16];
    stream.next_in = const_cast<unsigned char*>(data);
    stream.avail_in = static_cast<uInt>(std::min<std::size_t>(size, 0x7FFFFFFF));
    int status = Z_OK;
    while (status == Z_OK) {
        stream.next_out = chunk;
        stream.avail_out = sizeof(chunk);
        status = inflate(&stream, Z_NO_FLUSH);
        const std::size_t produced = sizeof(chunk) - stream.avail_out;
        if (out.size() + produced > cap) {
            inflateEnd(&stream);
            return std::nullopt;
        }
        out.insert(out.end(), chunk, chunk + produced);
        if (produced == 0 && status == Z_OK) break;  // no progress: input exhausted
    }
    inflateEnd(&stream);
    return out;
}

}  // namespace

std::string findDicomLengthLie(const unsigned char* data, std::size_t size, std::size_t max_inflated_bytes) {
    const bool has_preamble = size >= 132 && std::memcmp(data + 128, "DICM", 4) == 0;
    ElementWalker walker(data, size, has_preamble ? 132 : 0);
    std::string transfer_syntax;
    Encoding encoding;
    const bool has_meta = size >= walker.position() + 2 && data[walker.position()] == 0x02 && data[walker.position() + 1] == 0x00;
    const bool explicit_first = size >= walker.position() + 6 && isStandardVr(data + walker.position() + 4);
    if (has_meta) {
        // DCMTK reads the meta header up to the end its group length (0002,0000) gives, whatever
        // the groups there, and then on while the elements are of group 0002.
        const std::size_t p = walker.position();
        std::size_t meta_end = 0;
        if (size >= p + 12 && data[p + 2] == 0 && data[p + 3] == 0 &&
            ((explicit_first && data[p + 4] == 'U' && data[p + 5] == 'L' && data[p + 6] == 4 && data[p + 7] == 0) ||
             (!explicit_first && data[p + 4] == 4 && data[p + 5] == 0 && data[p + 6] == 0 && data[p + 7] == 0))) {
            const std::uint64_t group_length = static_cast<std::uint64_t>(data[p + 8]) | (static_cast<std::uint64_t>(data[p + 9]) << 8) |
                                               (static_cast<std::uint64_t>(data[p + 10]) << 16) | (static_cast<std::uint64_t>(data[p + 11]) << 24);
            if (p + 12 + group_length > size)
                return fmt::format("meta header group length {} runs past the end of the file", group_length);
            meta_end = static_cast<std::size_t>(p + 12 + group_length);
        }
        const Encoding meta{explicit_first, true};
        if (std::string lie = walker.walk(meta, std::uint16_t{0x0002}, &transfer_syntax, meta_end); !lie.empty()) return "meta header " + lie;
    } else if (size >= walker.position() + 6) {
        encoding.explicit_vr = explicit_first;
        encoding.little_endian = !(data[walker.position()] == 0x00 && data[walker.position() + 1] == 0x08);
    }
    // The dataset's encoding as DCMTK will read it: that of a transfer syntax it knows; for one
    // it does not know (or none), it looks at the dataset: explicit VR when the first element
    // has a standard VR.
    const DcmXfer syntax(transfer_syntax.c_str());
    // (An empty UID would match DCMTK's internal "Virtual Big Endian Implicit".)
    const bool known = !transfer_syntax.empty() && syntax.getXfer() != EXS_Unknown;
    const bool deflated = known && syntax.getStreamCompression() == ESC_zlib;
    if (known) {
        encoding = Encoding{syntax.isExplicitVR(), !syntax.isBigEndian()};
    } else if (has_meta && size >= walker.position() + 6) {
        encoding.explicit_vr = isStandardVr(data + walker.position() + 4);
        encoding.little_endian = !(data[walker.position()] == 0x00 && data[walker.position() + 1] == 0x08);
    }
    if (!deflated) return walker.walk(encoding, std::nullopt);

    const std::size_t compressed = size - walker.position();
    const std::size_t cap = std::min<std::size_t>(max_inflated_bytes, maxInflatedBytes(compressed));
    const auto inflated = inflateAtMost(data + walker.position(), compressed, cap);
    if (!inflated)
        return fmt::format("the deflated dataset inflates beyond {} bytes (its {} bytes allow at most {})", cap, compressed,
                           maxInflatedBytes(compressed));
    ElementWalker inner(inflated->data(), inflated->size(), 0);
    if (std::string lie = inner.walk(Encoding{}, std::nullopt); !lie.empty()) return "deflated dataset: " + lie;
    return {};
}

}  // namespace dpflow
