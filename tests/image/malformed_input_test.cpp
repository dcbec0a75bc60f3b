#include "dicom_test_support.h"

#include "image/image_error.h"
#include "image/image_reader.h"
#include "image/png_io.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmjpeg/djrplol.h>

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <unistd.h>

namespace dpflow {
namespace {

using Bytes = std::string;

Bytes readBytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
}

void writeBytes(const std::filesystem::path& path, const Bytes& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

// A valid 64x64 12-bit explicit little endian DICOM, as bytes.
Bytes validDicom(const std::filesystem::path& folder, E_TransferSyntax xfer = EXS_LittleEndianExplicit) {
    auto file = test::makeDicom(test::patternFrame(64, 64, 12, false));
    const auto path = folder / "valid.dcm";
    test::saveWithDcmtk(*file, path, xfer);
    return readBytes(path);
}

void writeDicomWith(const std::filesystem::path& path, const std::function<void(DcmDataset&)>& edit,
                    int bits = 12) {
    auto file = test::makeDicom(test::patternFrame(16, 16, bits, false));
    edit(*file->getDataset());
    test::saveWithDcmtk(*file, path, EXS_LittleEndianExplicit);
}

void writeFakeEncapsulated(const std::filesystem::path& path, const char* xfer_uid) {
    const StoredFrame frame = test::patternFrame(16, 16, 12, false);
    auto file = test::makeDicom(frame);
    test::saveAsJpeg2000(*file, frame, path, true, 10.0f, xfer_uid);
}

Bytes minimalPng(uint32_t width, uint32_t height) {
    // 1x1 or larger gray 8-bit PNG produced by writePng, so the bytes are a real PNG.
    Image image;
    image.width = static_cast<int>(width);
    image.height = static_cast<int>(height);
    image.pixels.assign(static_cast<size_t>(width) * height, 0.5f);
    const auto path = std::filesystem::temp_directory_path() / ("dpflow_minimal_" + std::to_string(::getpid()) + ".png");
    writePng(image, path, 8);
    return readBytes(path);
}

struct MalformedCase {
    const char* name;
    std::function<std::filesystem::path(const std::filesystem::path& folder)> make;
    const char* expected_reason;  // substring of ImageError::reason()
};

void PrintTo(const MalformedCase& c, std::ostream* os) { *os << c.name; }

std::filesystem::path truncatedDicom(const std::filesystem::path& folder, size_t keep_bytes) {
    const auto path = folder / "truncated.dcm";
    writeBytes(path, validDicom(folder).substr(0, keep_bytes));
    return path;
}

const MalformedCase kCases[] = {
    {"EmptyFile", [](const auto& f) { writeBytes(f / "empty.dcm", ""); return f / "empty.dcm"; }, "empty file"},
    {"RandomBytes",
     [](const auto& f) {
         std::mt19937 rng(7);
         Bytes bytes(4096, '\0');
         for (char& c : bytes) c = static_cast<char>(rng());
         writeBytes(f / "random.dcm", bytes);
         return f / "random.dcm";
     },
     "not an image file"},
    {"DirectoryPassedAsFile", [](const auto& f) { std::filesystem::create_directories(f / "dir.dcm"); return f / "dir.dcm"; },
     "is a folder"},
    {"MissingFile", [](const auto& f) { return f / "missing.dcm"; }, "no such file"},
    {"TruncatedInsideMetaHeader", [](const auto& f) { return truncatedDicom(f, 150); }, "truncated or malformed"},
    {"TruncatedInsideDatasetHeader", [](const auto& f) { return truncatedDicom(f, 420); }, "truncated or malformed"},
    {"TruncatedInsidePixelData", [](const auto& f) { return truncatedDicom(f, validDicom(f).size() - 3000); },
     "truncated or malformed"},
    {"TruncatedByOneByte", [](const auto& f) { return truncatedDicom(f, validDicom(f).size() - 1); },
     "truncated or malformed"},
    {"PixelDataShorterThanRowsColumnsBits",
     [](const auto& f) {
         writeDicomWith(f / "short.dcm", [](DcmDataset& ds) { ds.putAndInsertUint16(DCM_Rows, 40); });
         return f / "short.dcm";
     },
     "pixel data holds 512 bytes"},
    {"WrongElementLength",
     [](const auto& f) {
         Bytes bytes = validDicom(f);
         const Bytes rows_tag("\x28\x00\x10\x00US\x02\x00", 8);
         const size_t at = bytes.find(rows_tag);
         bytes[at + 6] = '\x40';  // Rows claims 64 bytes and swallows the following elements
         writeBytes(f / "length.dcm", bytes);
         return f / "length.dcm";
     },
     "truncated or malformed"},
    {"ZeroSize",
     [](const auto& f) {
         writeDicomWith(f / "zero.dcm", [](DcmDataset& ds) { ds.putAndInsertUint16(DCM_Columns, 0); });
         return f / "zero.dcm";
     },
     "zero-size image"},
    {"HugeDeclaredDimensions",
     [](const auto& f) {
         writeDicomWith(f / "huge.dcm", [](DcmDataset& ds) {
             ds.putAndInsertUint16(DCM_Rows, 60000);
             ds.putAndInsertUint16(DCM_Columns, 60000);
         });
         return f / "huge.dcm";
     },
     "exceeds the limit of 16384"},
    {"Htj2kHasNoCodec", [](const auto& f) { writeFakeEncapsulated(f / "htj2k.dcm", "1.2.840.10008.1.2.4.201"); return f / "htj2k.dcm"; },
     "transfer syntax High-Throughput JPEG 2000 (HTJ2K) Lossless (1.2.840.10008.1.2.4.201) has no decoder here"},
    {"JpegXlHasNoCodec", [](const auto& f) { writeFakeEncapsulated(f / "jxl.dcm", "1.2.840.10008.1.2.4.112"); return f / "jxl.dcm"; },
     "transfer syntax JPEG XL (1.2.840.10008.1.2.4.112) has no decoder here"},
    {"Mpeg4HasNoCodec", [](const auto& f) { writeFakeEncapsulated(f / "mpeg.dcm", "1.2.840.10008.1.2.4.102"); return f / "mpeg.dcm"; },
     "MPEG-4 AVC/H.264 High Profile / Level 4.1"},
    {"StructuredReport",
     [](const auto& f) {
         DcmFileFormat file;
         file.getDataset()->putAndInsertString(DCM_SOPClassUID, UID_ComprehensiveSRStorage);
         file.getDataset()->putAndInsertString(DCM_SOPInstanceUID, "1.2.3.4");
         file.getDataset()->putAndInsertString(DCM_Modality, "SR");
         file.saveFile((f / "sr.dcm").c_str(), EXS_LittleEndianExplicit);
         return f / "sr.dcm";
     },
     "not an image: no Pixel Data (ComprehensiveSRStorage)"},
    {"ColourRgb",
     [](const auto& f) {
         writeDicomWith(f / "rgb.dcm", [](DcmDataset& ds) {
             ds.putAndInsertString(DCM_PhotometricInterpretation, "RGB");
             ds.putAndInsertUint16(DCM_SamplesPerPixel, 3);
         }, 8);
         return f / "rgb.dcm";
     },
     "colour image (photometric interpretation RGB)"},
    {"ColourYbr",
     [](const auto& f) {
         writeDicomWith(f / "ybr.dcm", [](DcmDataset& ds) {
             ds.putAndInsertString(DCM_PhotometricInterpretation, "YBR_FULL_422");
             ds.putAndInsertUint16(DCM_SamplesPerPixel, 3);
         }, 8);
         return f / "ybr.dcm";
     },
     "colour image (photometric interpretation YBR_FULL_422)"},
    {"PaletteColour",
     [](const auto& f) {
         writeDicomWith(f / "palette.dcm", [](DcmDataset& ds) {
             ds.putAndInsertString(DCM_PhotometricInterpretation, "PALETTE COLOR");
         }, 8);
         return f / "palette.dcm";
     },
     "colour image (photometric interpretation PALETTE COLOR)"},
    {"GrayWithThreeSamples",
     [](const auto& f) {
         writeDicomWith(f / "samples.dcm", [](DcmDataset& ds) { ds.putAndInsertUint16(DCM_SamplesPerPixel, 3); });
         return f / "samples.dcm";
     },
     "3 samples per pixel"},
    {"BitsAllocated32",
     [](const auto& f) {
         writeDicomWith(f / "bits32.dcm", [](DcmDataset& ds) { ds.putAndInsertUint16(DCM_BitsAllocated, 32); });
         return f / "bits32.dcm";
     },
     "Bits Allocated 32 is not supported"},
    {"BitsStoredAboveBitsAllocated",
     [](const auto& f) {
         writeDicomWith(f / "bits17.dcm", [](DcmDataset& ds) { ds.putAndInsertUint16(DCM_BitsStored, 17); });
         return f / "bits17.dcm";
     },
     "inconsistent bit layout"},
    {"MissingPhotometricInterpretation",
     [](const auto& f) {
         writeDicomWith(f / "nophoto.dcm", [](DcmDataset& ds) { ds.findAndDeleteElement(DCM_PhotometricInterpretation); });
         return f / "nophoto.dcm";
     },
     "missing Photometric Interpretation"},
    {"DamagedJpeg2000Codestream",
     [](const auto& f) {
         const auto path = f / "j2k.dcm";
         const StoredFrame frame = test::patternFrame(64, 64, 12, false);
         auto file = test::makeDicom(frame);
         test::saveAsJpeg2000(*file, frame, path, true);
         Bytes bytes = readBytes(path);
         const size_t sot = bytes.find("\xFF\x93");  // start of tile data; keep EOC and the delimiter
         for (size_t i = sot + 2; i < bytes.size() - 12; ++i) bytes[i] = '\xFF';
         writeBytes(path, bytes);
         return path;
     },
     "JPEG 2000"},
    {"DamagedJpegLosslessStream",
     [](const auto& f) {
         const auto path = f / "jpeg.dcm";
         auto file = test::makeDicom(test::patternFrame(64, 64, 12, false));
         DJ_RPLossless parameter;
         test::saveWithDcmtk(*file, path, EXS_JPEGProcess14SV1, &parameter);
         Bytes bytes = readBytes(path);
         const size_t sos = bytes.find("\xFF\xDA");  // start of scan: damage everything after it
         bytes.resize(sos + 40);
         bytes += Bytes(8, '\0');
         writeBytes(path, bytes);
         return path;
     },
     "truncated or malformed"},
    {"PreambleFollowedByGarbage",
     [](const auto& f) {
         Bytes bytes(128, '\0');
         bytes += "DICM";
         bytes += Bytes(64, '\xA5');
         writeBytes(f / "garbage.dcm", bytes);
         return f / "garbage.dcm";
     },
     "truncated or malformed"},
    {"PngTruncated",
     [](const auto& f) {
         const Bytes png = minimalPng(64, 64);
         writeBytes(f / "cut.png", png.substr(0, png.size() - 20));
         return f / "cut.png";
     },
     "damaged PNG"},
    {"PngBadCrc",
     [](const auto& f) {
         Bytes png = minimalPng(8, 8);
         png[29] = static_cast<char>(png[29] ^ 0x55);  // IHDR CRC
         writeBytes(f / "crc.png", png);
         return f / "crc.png";
     },
     "CRC"},
    {"PngHugeDeclaredDimensions",
     [](const auto& f) {
         Bytes png = minimalPng(8, 8);
         // IHDR width/height -> 20000 x 20000, with a correct CRC so only the size is wrong.
         const Bytes size("\x00\x00\x4E\x20\x00\x00\x4E\x20", 8);
         png.replace(16, 8, size);
         uint32_t crc = 0xFFFFFFFFu;
         for (size_t i = 12; i < 29; ++i) {
             crc ^= static_cast<unsigned char>(png[i]);
             for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
         }
         crc ^= 0xFFFFFFFFu;
         for (int k = 0; k < 4; ++k) png[29 + k] = static_cast<char>(crc >> (24 - 8 * k));
         writeBytes(f / "huge.png", png);
         return f / "huge.png";
     },
     "exceeds the limit of 16384"},
};

class MalformedInput : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedInput, IsRefusedWithAReasonNamingTheProblem) {
    const MalformedCase& c = GetParam();
    const auto path = c.make(test::freshTempFolder(std::string("malformed_") + c.name));
    try {
        const Image image = readImage(path);
        FAIL() << c.name << ": read as a " << image.width << "x" << image.height << " image";
    } catch (const ImageError& error) {
        EXPECT_NE(error.reason().find(c.expected_reason), std::string::npos)
            << c.name << ": reason was \"" << error.reason() << "\"";
        EXPECT_NE(std::string(error.what()).find(path.string()), std::string::npos) << "message must name the file";
    }
}

INSTANTIATE_TEST_SUITE_P(AtLeastTwenty, MalformedInput, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<MalformedCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace dpflow
