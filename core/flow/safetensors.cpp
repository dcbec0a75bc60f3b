#include "flow/safetensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <fstream>
#include <limits>
#include <utility>

namespace dpflow {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors stores little-endian data; this code copies raw bytes");

struct DtypeInfo {
    SafetensorsDtype dtype;
    const char* name;
    std::size_t size;
};

constexpr std::array<DtypeInfo, 13> kDtypes{{
    {SafetensorsDtype::F64, "F64", 8}, {SafetensorsDtype::F32, "F32", 4},
    {SafetensorsDtype::F16, "F16", 2}, {SafetensorsDtype::BF16, "BF16", 2},
    {SafetensorsDtype::I64, "I64", 8}, {SafetensorsDtype::I32, "I32", 4},
    {SafetensorsDtype::I16, "I16", 2}, {SafetensorsDtype::I8, "I8", 1},
    {SafetensorsDtype::U64, "U64", 8}, {SafetensorsDtype::U32, "U32", 4},
    {SafetensorsDtype::U16, "U16", 2}, {SafetensorsDtype::U8, "U8", 1},
    {SafetensorsDtype::BOOL, "BOOL", 1},
}};

const DtypeInfo& info(SafetensorsDtype dtype) {
    for (const auto& entry : kDtypes) {
        if (entry.dtype == dtype) return entry;
    }
    throw SafetensorsError("unknown safetensors dtype enumerator");
}

// The header length is capped (the reference implementation uses 100 MB) so that a corrupt
// length field cannot make us allocate or scan gigabytes.
constexpr std::uint64_t kMaxHeaderBytes = 100u * 1024u * 1024u;

std::uint64_t byteCount(const std::vector<std::int64_t>& shape, std::size_t element_size,
                        const std::string& where) {
    std::uint64_t count = element_size;
    for (std::int64_t dim : shape) {
        if (dim < 0) throw SafetensorsError(where + ": negative dimension in shape");
        if (dim != 0 && count > std::numeric_limits<std::uint64_t>::max() / static_cast<std::uint64_t>(dim)) {
            throw SafetensorsError(where + ": shape is too large");
        }
        count *= static_cast<std::uint64_t>(dim);
    }
    return count;
}

SafetensorsDtype parseDtype(const nlohmann::json& value, const std::string& where) {
    if (!value.is_string()) throw SafetensorsError(where + ": dtype is not a string");
    const auto name = value.get<std::string>();
    for (const auto& entry : kDtypes) {
        if (name == entry.name) return entry.dtype;
    }
    throw SafetensorsError(where + ": unsupported dtype '" + name + "'");
}

std::uint64_t parseUnsigned(const nlohmann::json& value, const std::string& where) {
    if (!value.is_number_unsigned()) {
        throw SafetensorsError(where + " must be a non-negative integer");
    }
    return value.get<std::uint64_t>();
}

}  // namespace

std::size_t dtypeSize(SafetensorsDtype dtype) { return info(dtype).size; }

std::string dtypeName(SafetensorsDtype dtype) { return info(dtype).name; }

std::int64_t SafetensorsTensor::numel() const {
    std::int64_t n = 1;
    for (std::int64_t dim : shape) n *= dim;
    return n;
}

const SafetensorsTensor& SafetensorsFile::at(const std::string& name) const {
    const auto it = tensors.find(name);
    if (it == tensors.end()) throw SafetensorsError("missing tensor '" + name + "'");
    return it->second;
}

SafetensorsFile parseSafetensors(const std::vector<std::uint8_t>& bytes, const std::string& source) {
    if (bytes.size() < 8) {
        throw SafetensorsError(source + ": file is " + std::to_string(bytes.size()) +
                               " bytes, too short for the 8-byte header length (truncated?)");
    }
    std::uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | bytes[static_cast<std::size_t>(i)];
    if (header_len > kMaxHeaderBytes || header_len > bytes.size() - 8) {
        throw SafetensorsError(source + ": header length " + std::to_string(header_len) +
                               " exceeds the file size of " + std::to_string(bytes.size()) +
                               " bytes (truncated or not a safetensors file)");
    }
    if (header_len < 2 || bytes[8] != '{') {
        throw SafetensorsError(source + ": header does not start with a JSON object");
    }
    const auto header_begin = bytes.begin() + 8;
    const auto header_end = header_begin + static_cast<std::ptrdiff_t>(header_len);
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(header_begin, header_end);
    } catch (const nlohmann::json::exception& e) {
        throw SafetensorsError(source + ": header is not valid JSON (" + e.what() + ")");
    }
    if (!header.is_object()) throw SafetensorsError(source + ": header is not a JSON object");

    const std::uint64_t data_size = bytes.size() - 8 - header_len;
    const std::size_t data_start = 8 + static_cast<std::size_t>(header_len);
    SafetensorsFile file;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    std::vector<std::string> range_names;
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") {
            if (!entry.is_object()) throw SafetensorsError(source + ": __metadata__ is not an object");
            for (const auto& [key, value] : entry.items()) {
                if (!value.is_string()) {
                    throw SafetensorsError(source + ": __metadata__ value of '" + key + "' is not a string");
                }
                file.metadata[key] = value.get<std::string>();
            }
            continue;
        }
        const std::string where = source + ": tensor '" + name + "'";
        if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
            !entry.contains("data_offsets")) {
            throw SafetensorsError(where + " lacks dtype, shape or data_offsets");
        }
        SafetensorsTensor tensor;
        tensor.dtype = parseDtype(entry["dtype"], where);
        const auto& shape = entry["shape"];
        if (!shape.is_array()) throw SafetensorsError(where + ": shape is not an array");
        for (const auto& dim : shape) {
            const std::uint64_t d = parseUnsigned(dim, where + ": a shape entry");
            if (d > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                throw SafetensorsError(where + ": dimension too large");
            }
            tensor.shape.push_back(static_cast<std::int64_t>(d));
        }
        const auto& offsets = entry["data_offsets"];
        if (!offsets.is_array() || offsets.size() != 2) {
            throw SafetensorsError(where + ": data_offsets is not a pair [begin, end]");
        }
        const std::uint64_t begin = parseUnsigned(offsets[0], where + ": data_offsets begin");
        const std::uint64_t end = parseUnsigned(offsets[1], where + ": data_offsets end");
        if (begin > end || end > data_size) {
            throw SafetensorsError(where + ": data_offsets [" + std::to_string(begin) + ", " +
                                   std::to_string(end) + "] outside the data area of " +
                                   std::to_string(data_size) + " bytes (truncated file?)");
        }
        const std::uint64_t expected = byteCount(tensor.shape, dtypeSize(tensor.dtype), where);
        if (end - begin != expected) {
            throw SafetensorsError(where + ": holds " + std::to_string(end - begin) +
                                   " bytes but dtype " + dtypeName(tensor.dtype) +
                                   " and its shape need " + std::to_string(expected));
        }
        tensor.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(data_start + begin),
                           bytes.begin() + static_cast<std::ptrdiff_t>(data_start + end));
        ranges.emplace_back(begin, end);
        range_names.push_back(name);
        file.tensors.emplace(name, std::move(tensor));
    }

    std::vector<std::size_t> order(ranges.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ranges[a] < ranges[b]; });
    std::uint64_t cursor = 0;
    for (std::size_t i : order) {
        if (ranges[i].first < cursor) {
            throw SafetensorsError(source + ": tensor '" + range_names[i] + "' overlaps another tensor's data");
        }
        if (ranges[i].first > cursor) {
            throw SafetensorsError(source + ": gap in the data area before tensor '" + range_names[i] + "'");
        }
        cursor = ranges[i].second;
    }
    if (cursor != data_size) {
        throw SafetensorsError(source + ": " + std::to_string(data_size - cursor) +
                               " trailing bytes after the last tensor");
    }
    return file;
}

SafetensorsFile readSafetensors(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw SafetensorsError(path.string() + ": cannot open the weights file");
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw SafetensorsError(path.string() + ": read error");
    return parseSafetensors(bytes, path.string());
}

std::vector<std::uint8_t> serializeSafetensors(const SafetensorsFile& file) {
    nlohmann::json header = nlohmann::json::object();
    if (!file.metadata.empty()) header["__metadata__"] = file.metadata;
    std::uint64_t offset = 0;
    for (const auto& [name, tensor] : file.tensors) {
        const auto expected = byteCount(tensor.shape, dtypeSize(tensor.dtype), "tensor '" + name + "'");
        if (expected != tensor.data.size()) {
            throw SafetensorsError("cannot write tensor '" + name + "': " + std::to_string(tensor.data.size()) +
                                   " bytes for a shape needing " + std::to_string(expected));
        }
        header[name] = {{"dtype", dtypeName(tensor.dtype)},
                        {"shape", tensor.shape},
                        {"data_offsets", {offset, offset + expected}}};
        offset += expected;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    std::vector<std::uint8_t> bytes;
    bytes.reserve(8 + text.size() + offset);
    const std::uint64_t len = text.size();
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<std::uint8_t>(len >> (8 * i)));
    bytes.insert(bytes.end(), text.begin(), text.end());
    for (const auto& [name, tensor] : file.tensors) bytes.insert(bytes.end(), tensor.data.begin(), tensor.data.end());
    return bytes;
}

void writeSafetensors(const std::filesystem::path& path, const SafetensorsFile& file) {
    const auto bytes = serializeSafetensors(file);
    auto tmp = path;
    tmp += ".partial";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw SafetensorsError(path.string() + ": cannot create the file for writing");
        out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        if (!out.flush()) throw SafetensorsError(path.string() + ": write failed (disk full?)");
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw SafetensorsError(path.string() + ": cannot move the written file into place: " + ec.message());
}

}  // namespace dpflow
