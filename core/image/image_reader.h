#pragma once

#include "image/image.h"
#include "image/read_options.h"

#include <filesystem>
#include <vector>
#include <string>

namespace dpflow {

/// What a file's first bytes say it is.
enum class ImageFileFormat { Png, Dicom, Unknown };

/// Recognises a file by content, never by extension: PNG by its 8-byte signature; DICOM by the
/// 128-byte preamble followed by "DICM", or, without preamble, by a first element of group
/// 0002 (meta header) or 0008 (dataset) in either byte order, which DCMTK then parses.
/// Unknown for anything else, including unreadable files and folders.
ImageFileFormat detectImageFormat(const std::filesystem::path& path);

/// As detectImageFormat(path), on a file's bytes in memory.
ImageFileFormat detectImageFormat(const std::vector<unsigned char>& bytes);

/// Reads a DICOM or PNG file, recognising DICOM by content (preamble or meta header), not
/// by extension. Throws ImageError with the reason when the file cannot be shown faithfully.
Image readImage(const std::filesystem::path& path);

/// Reads a DICOM or PNG from the bytes of a file already in memory, recognised as
/// detectImageFormat does; `path` names the image in errors and in Image::source_path. The
/// result is readImage's for the same bytes, with Image::source_sha256 the SHA-256 of `bytes`.
/// Throws ImageError.
Image readImageBytes(const std::vector<unsigned char>& bytes, const std::filesystem::path& path,
                     const ImageReadOptions& options = {});

/// The whole content of a file, in one read. Throws ImageError naming the file when it is a
/// folder, missing or unreadable.
std::vector<unsigned char> readFileBytes(const std::filesystem::path& path);

/// As readImage(path), with the caller's choices (e.g. a window overriding the file's VOI).
Image readImage(const std::filesystem::path& path, const ImageReadOptions& options);

/// The reason readImage gives for a file that is neither PNG nor DICOM.
extern const char* const kNotAnImageFileReason;

}  // namespace dpflow
