#include "dicom_test_support.h"

#include "image/dicom_writer.h"
#include "image/folder_scan.h"
#include "image/image_error.h"
#include "image/image_reader.h"
#include "image/png_io.h"
#include "image/sha256.h"

#include <gtest/gtest.h>

#include <fstream>

namespace dpflow {
namespace {

Image ramp(int width, int height) {
    Image image = makeImage(width, height);
    for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<float>(i) / static_cast<float>(image.pixels.size() - 1);
    return image;
}

TEST(ReadImageBytes, APngInMemoryReadsAsTheFileDoes) {
    const auto path = test::freshTempFolder("bytes_png") / "ramp.png";
    writePng(ramp(12, 7), path, 16);
    const Image from_file = readImage(path);
    const Image from_bytes = readImageBytes(readFileBytes(path), path);
    EXPECT_EQ(from_bytes.width, 12);
    EXPECT_EQ(from_bytes.pixels, from_file.pixels);
    EXPECT_EQ(from_bytes.source_path, path);
    EXPECT_EQ(from_bytes.source_sha256, sha256OfFile(path));  // the hash of exactly the bytes decoded
}

TEST(ReadImageBytes, ADicomInMemoryReadsAsTheFileDoes) {
    const auto path = test::freshTempFolder("bytes_dcm") / "ramp.dcm";
    writeDicom(ramp(9, 11), path, 12, {{"PatientName", "Doe^Jane"}});
    const Image from_file = readImage(path);
    const Image from_bytes = readImageBytes(readFileBytes(path), path);
    EXPECT_EQ(from_bytes.height, 11);
    EXPECT_EQ(from_bytes.pixels, from_file.pixels);
    EXPECT_EQ(from_bytes.window_source, from_file.window_source);
}

TEST(ReadImageBytes, ALargeDicomReadsFromMemoryAndATruncatedOneIsRefused) {
    // 16-bit pixel data far above DCMTK's 4 kB deferred-read limit.
    const auto path = test::freshTempFolder("bytes_large_dcm") / "large.dcm";
    writeDicom(ramp(96, 80), path, 16, {});
    const std::vector<unsigned char> bytes = readFileBytes(path);
    ASSERT_GT(bytes.size(), 96u * 80u * 2u);
    EXPECT_EQ(readImageBytes(bytes, path).pixels, readImage(path).pixels);
    const std::vector<unsigned char> cut(bytes.begin(), bytes.begin() + static_cast<long>(bytes.size() - 4000));
    EXPECT_THROW(readImageBytes(cut, path), ImageError);
}

TEST(ReadImageBytes, EmptyTruncatedAndForeignBytesAreRefusedWithTheReason) {
    const auto folder = test::freshTempFolder("bytes_bad");
    EXPECT_THROW(readImageBytes({}, folder / "empty.dcm"), ImageError);
    const std::vector<unsigned char> text = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!'};
    try {
        readImageBytes(text, folder / "hello.txt");
        FAIL() << "read text as an image";
    } catch (const ImageError& e) {
        EXPECT_NE(std::string(e.what()).find("not an image file"), std::string::npos) << e.what();
    }
    const auto png = folder / "cut.png";
    writePng(ramp(40, 40), png, 8);
    std::vector<unsigned char> bytes = readFileBytes(png);
    bytes.resize(bytes.size() / 2);
    EXPECT_THROW(readImageBytes(bytes, png), ImageError);
}

TEST(ScanImages, EveryImageReadCarriesTheHashOfTheBytesItWasDecodedFrom) {
    const auto folder = test::freshTempFolder("bytes_scan");
    writePng(ramp(6, 6), folder / "a.png", 8);
    writeDicom(ramp(6, 6), folder / "b.dcm", 12, {});
    const auto entries = scanImages(folder);
    ASSERT_EQ(entries.size(), 2u);
    for (const auto& entry : entries) {
        ASSERT_TRUE(entry.image) << entry.path;
        EXPECT_EQ(entry.image->source_sha256, sha256OfFile(entry.path));
    }
}

TEST(ReadFileBytes, AFolderOrAMissingFileIsAnImageError) {
    const auto folder = test::freshTempFolder("bytes_missing");
    EXPECT_THROW(readFileBytes(folder), ImageError);
    EXPECT_THROW(readFileBytes(folder / "nothing.png"), ImageError);
}

}  // namespace
}  // namespace dpflow
