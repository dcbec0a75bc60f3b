#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace dpflow {

/// Thrown for a safetensors file that cannot be read, is malformed, or does not hold what the
/// caller expects; the message names the file (or buffer) and the reason.
class SafetensorsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Element types of the safetensors format, named as in the file's header.
enum class SafetensorsDtype { F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL };

/// Bytes per element of `dtype`.
std::size_t dtypeSize(SafetensorsDtype dtype);

/// The header name of `dtype` ("F32", ...).
std::string dtypeName(SafetensorsDtype dtype);

/// One stored tensor: little-endian raw bytes, row-major, `data.size()` equal to
/// `dtypeSize(dtype) * product(shape)` (an empty shape is a scalar of one element).
struct SafetensorsTensor {
    SafetensorsDtype dtype = SafetensorsDtype::F32;
    std::vector<std::int64_t> shape;
    std::vector<std::uint8_t> data;

    /// Number of elements (product of the shape).
    std::int64_t numel() const;
};

/// The content of a safetensors file: tensors by name plus the string pairs of `__metadata__`.
/// A torch-free representation so that any module (and the UI) can read or write weights.
struct SafetensorsFile {
    std::map<std::string, SafetensorsTensor> tensors;
    std::map<std::string, std::string> metadata;

    /// The tensor called `name`; throws SafetensorsError naming the tensor when it is absent.
    const SafetensorsTensor& at(const std::string& name) const;
};

/// Parses a complete safetensors byte buffer. Validates everything the format requires: the
/// 8-byte little-endian header length fits the buffer, the header is a JSON object, every entry
/// has a known dtype, non-negative shape, and data_offsets whose length matches dtype and shape,
/// the offsets lie inside the data area and tile it exactly (no overlap, no gap), and
/// `__metadata__` maps strings to strings. `source` names the buffer in error messages.
/// Throws SafetensorsError.
SafetensorsFile parseSafetensors(const std::vector<std::uint8_t>& bytes, const std::string& source);

/// Reads and parses a file (see parseSafetensors). Throws SafetensorsError, also when the file
/// cannot be opened.
SafetensorsFile readSafetensors(const std::filesystem::path& path);

/// Serialises to the format: tensors in name order, header padded with spaces to a multiple of
/// 8 bytes. Throws SafetensorsError if a tensor's byte count does not match its dtype and shape.
std::vector<std::uint8_t> serializeSafetensors(const SafetensorsFile& file);

/// Writes atomically (temporary file in the same folder, then rename), so an interrupted write
/// never leaves a truncated model behind. Throws SafetensorsError on I/O failure.
void writeSafetensors(const std::filesystem::path& path, const SafetensorsFile& file);

}  // namespace dpflow
