#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

namespace dpflow {

/// SHA-256 (OpenSSL) computed incrementally over bytes and whole files. Used wherever the
/// product names content: source images in the budget ledger, training data in model cards,
/// output files in release certificates.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(const void* data, std::size_t size);

    /// Adds a file's bytes, read in blocks. Throws std::runtime_error naming the file when it
    /// cannot be read.
    void updateWithFile(const std::filesystem::path& path);

    /// The digest of everything added, as 64 lowercase hex digits. Call once.
    std::string hexDigest();

private:
    struct Context;
    std::unique_ptr<Context> context_;
};

/// SHA-256 of a byte range, as 64 lowercase hex digits.
std::string sha256Hex(const void* data, std::size_t size);

/// SHA-256 of a file's bytes. Throws std::runtime_error naming the file when it cannot be read.
std::string sha256OfFile(const std::filesystem::path& path);

}  // namespace dpflow
