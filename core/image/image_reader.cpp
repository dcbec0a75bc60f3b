#include "image/image_reader.h"

#include "image/dicom_reader.h"
#include "image/image_error.h"
#include "image/png_io.h"
#include "image/sha256.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <optional>
#include <system_error>

namespace dpflow {

const char* const kNotAnImageFileReason =
    "not an image file (neither a PNG signature nor a DICOM preamble or header)";

namespace {

ImageFileFormat formatOfHead(const unsigned char* head, std::size_t size) {
    static const unsigned char kPngSignature[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (size >= sizeof(kPngSignature) && std::memcmp(head, kPngSignature, sizeof(kPngSignature)) == 0) {
        return ImageFileFormat::Png;
    }
    if (size >= 132 && std::memcmp(head + 128, "DICM", 4) == 0) {
        return ImageFileFormat::Dicom;
    }
    if (size >= 8) {
        const unsigned little_endian_group = head[0] | (head[1] << 8);
        const unsigned big_endian_group = (head[0] << 8) | head[1];
        if (little_endian_group == 0x0002 || little_endian_group == 0x0008 || big_endian_group == 0x0008) {
            return ImageFileFormat::Dicom;
        }
    }
    return ImageFileFormat::Unknown;
}

}  // namespace

ImageFileFormat detectImageFormat(const std::filesystem::path& path) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) {
        return ImageFileFormat::Unknown;
    }
    std::array<unsigned char, 132> head{};
    std::ifstream in(path, std::ios::binary);
    in.read(reinterpret_cast<char*>(head.data()), head.size());
    return formatOfHead(head.data(), static_cast<size_t>(in.gcount()));
}

ImageFileFormat detectImageFormat(const std::vector<unsigned char>& bytes) { return formatOfHead(bytes.data(), bytes.size()); }

std::vector<unsigned char> readFileBytes(const std::filesystem::path& path) {
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) throw ImageError(path, "is a folder, not an image file");
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw ImageError(path, std::filesystem::exists(path, error) ? "cannot open the file" : "no such file");
    const std::streamoff size = in.tellg();
    std::vector<unsigned char> bytes(static_cast<std::size_t>(std::max<std::streamoff>(size, 0)));
    in.seekg(0);
    if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), size)) throw ImageError(path, "cannot read the file");
    return bytes;
}

Image readImageBytes(const std::vector<unsigned char>& bytes, const std::filesystem::path& path, const ImageReadOptions& options) {
    std::optional<Image> image;
    switch (detectImageFormat(bytes)) {
    case ImageFileFormat::Png:
        image = readPngBytes(bytes, path, options);
        break;
    case ImageFileFormat::Dicom:
        image = readDicomBytes(bytes, path, options);
        break;
    case ImageFileFormat::Unknown:
        break;
    }
    if (image) {
        image->source_sha256 = sha256Hex(bytes.data(), bytes.size());
        return std::move(*image);
    }
    if (bytes.empty()) throw ImageError(path, "empty file");
    throw ImageError(path, kNotAnImageFileReason);
}

Image readImage(const std::filesystem::path& path) { return readImage(path, ImageReadOptions{}); }

Image readImage(const std::filesystem::path& path, const ImageReadOptions& options) {
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
        throw ImageError(path, "is a folder, not an image file");
    }
    if (!std::filesystem::exists(path, error)) {
        throw ImageError(path, "no such file");
    }
    switch (detectImageFormat(path)) {
    case ImageFileFormat::Png:
        return readPng(path, options);
    case ImageFileFormat::Dicom:
        return readDicom(path, options);
    case ImageFileFormat::Unknown:
        break;
    }
    if (std::filesystem::file_size(path, error) == 0) {
        throw ImageError(path, "empty file");
    }
    throw ImageError(path, kNotAnImageFileReason);
}

}  // namespace dpflow
