#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace dpflow {

/// SHA-256 (OpenSSL) of a byte range, as 64 lowercase hex digits. Used wherever the product
/// names content: source images in the budget ledger, training data in model cards, output
/// files in release certificates.
std::string sha256Hex(const void* data, std::size_t size);

/// SHA-256 of a file's bytes, read in blocks. Throws std::runtime_error naming the file when it
/// cannot be read.
std::string sha256OfFile(const std::filesystem::path& path);

}  // namespace dpflow
