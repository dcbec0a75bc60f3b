#pragma once

// For readers that take a path: the input is written to a file of this process's own in a
// scratch folder (tmpfs when there is one), which the reader then opens as the product does.

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace dpflow::fuzz {

/// A folder of this process's own, created on first use.
const std::filesystem::path& scratchFolder();

/// Writes the bytes to `name` in the scratch folder and returns its path.
std::filesystem::path writeScratchFile(const char* name, const std::uint8_t* data, std::size_t size);

}  // namespace dpflow::fuzz
