#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace dpflow {

/// Thrown when a file cannot be read or written as an image. The message names the file
/// and the reason in words a user can act on (e.g. "transfer syntax JPEG XL has no decoder here").
class ImageError : public std::runtime_error {
public:
    ImageError(const std::filesystem::path& path, const std::string& reason)
        : std::runtime_error(path.string() + ": " + reason), reason_(reason) {}

    /// The reason without the path, for per-file reports that print the path themselves.
    const std::string& reason() const { return reason_; }

private:
    std::string reason_;
};

}  // namespace dpflow
