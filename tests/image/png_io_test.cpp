#include "image/image_error.h"
#include "image/png_io.h"

#include <gtest/gtest.h>
#include <png.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <vector>
#include <unistd.h>

namespace dpflow {
namespace {

std::filesystem::path tempPng(const std::string& name) {
    return std::filesystem::temp_directory_path() / ("dpflow_png_test_" + name + "_" + std::to_string(::getpid()) + ".png");
}

// Writes raw PNG rows with libpng's simplified API, for inputs writePng cannot produce.
void writeRawPng(const std::filesystem::path& path, int width, int height, png_uint_32 format,
                 const std::vector<unsigned char>& data) {
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    image.width = width;
    image.height = height;
    image.format = format;
    ASSERT_TRUE(png_image_write_to_file(&image, path.c_str(), 0, data.data(), 0, nullptr)) << image.message;
}

// The hand-made findings of the fuzzing issue (tests/fuzz/findings/image, README.md there).
std::filesystem::path finding(const char* name) { return std::filesystem::path(DPFLOW_SOURCE_DIR) / "tests/fuzz/findings/image" / name; }

TEST(PngIo, APaletteWithTransparencyReadsTheSameGreyValuesAsWithout) {
    // libpng expands a palette's tRNS entries into an alpha channel; it is dropped, not taken
    // for a colour channel.
    const Image with_trns = readPng(finding("png-palette-trns.png"));
    const Image without = readPng(finding("png-palette.png"));
    ASSERT_EQ(with_trns.width, 4);
    EXPECT_EQ(with_trns.pixels, without.pixels);
    EXPECT_TRUE(with_trns.warnings.empty()) << with_trns.warnings.front();
    EXPECT_FLOAT_EQ(with_trns.pixels[1], 85.0f / 255.0f);
}

TEST(PngIo, ALengthOrSizeTheFileCannotHoldIsRefusedBeforeItIsAllocated) {
    // A 68-byte PNG declaring 8000 x 8000 RGBA16 (512 MB of image data): deflate inflates 68
    // bytes to at most 71 kB, so the header is lying.
    try {
        readPng(finding("png-8000-rgba16-no-data.png"));
        FAIL() << "accepted";
    } catch (const ImageError& error) {
        EXPECT_NE(error.reason().find("more than the 68 bytes of the file can inflate to"), std::string::npos) << error.reason();
    }
    // 16384 x 16384 is above the default pixel limit; the message names the variable that raises it.
    try {
        readPng(finding("png-16384-rgba16-no-data.png"));
        FAIL() << "accepted";
    } catch (const ImageError& error) {
        EXPECT_NE(error.reason().find("above the limit of 67.1 million (set DPFLOW_MAX_MEGAPIXELS"), std::string::npos) << error.reason();
    }
}

TEST(PngIo, SixteenBitRoundTripIsExact) {
    Image image = makeImage(256, 3);
    for (size_t i = 0; i < image.pixels.size(); ++i) {
        image.pixels[i] = static_cast<float>((i * 257 + 13) % 65536) / 65535.0f;
    }
    writePng(image, tempPng("rt16"), 16);
    const Image back = readPng(tempPng("rt16"));
    ASSERT_EQ(back.pixels.size(), image.pixels.size());
    EXPECT_EQ(back.stored_bits, 16);
    for (size_t i = 0; i < image.pixels.size(); ++i) {
        ASSERT_EQ(std::lround(back.pixels[i] * 65535.0), std::lround(image.pixels[i] * 65535.0)) << i;
    }
}

TEST(PngIo, EightBitRoundTripKeepsEveryLevel) {
    Image image = makeImage(256, 1);
    for (int x = 0; x < 256; ++x) {
        image.at(x, 0) = x / 255.0f;
    }
    writePng(image, tempPng("rt8"), 8);
    const Image back = readPng(tempPng("rt8"));
    EXPECT_EQ(back.stored_bits, 8);
    for (int x = 0; x < 256; ++x) {
        ASSERT_FLOAT_EQ(back.at(x, 0), x / 255.0f);
    }
}

TEST(PngIo, RgbWithEqualChannelsIsAcceptedAsGrayWithoutWarning) {
    writeRawPng(tempPng("gray_rgb"), 2, 1, PNG_FORMAT_RGB, {10, 10, 10, 200, 200, 200});
    const Image image = readPng(tempPng("gray_rgb"));
    EXPECT_FLOAT_EQ(image.at(0, 0), 10 / 255.0f);
    EXPECT_FLOAT_EQ(image.at(1, 0), 200 / 255.0f);
    EXPECT_TRUE(image.warnings.empty());
}

TEST(PngIo, TrueColourBecomesLumaWithAWarning) {
    writeRawPng(tempPng("colour"), 1, 1, PNG_FORMAT_RGB, {255, 0, 0});
    const Image image = readPng(tempPng("colour"));
    EXPECT_NEAR(image.at(0, 0), std::lround(0.2126 * 255) / 255.0, 1e-6);
    ASSERT_EQ(image.warnings.size(), 1u);
    EXPECT_NE(image.warnings[0].find("converted to gray"), std::string::npos);
}

TEST(PngIo, GrayWithAlphaIgnoresTheAlpha) {
    writeRawPng(tempPng("gray_alpha"), 2, 1, PNG_FORMAT_GA, {51, 0, 102, 255});
    const Image image = readPng(tempPng("gray_alpha"));
    EXPECT_FLOAT_EQ(image.at(0, 0), 51 / 255.0f);
    EXPECT_FLOAT_EQ(image.at(1, 0), 102 / 255.0f);
}

TEST(PngIo, PaletteImageIsExpanded) {
    // A palette PNG written with libpng's low-level API: two gray palette entries.
    const auto path = tempPng("palette");
    FILE* file = std::fopen(path.c_str(), "wb");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    png_init_io(png, file);
    png_set_IHDR(png, info, 2, 1, 8, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_color palette[2] = {{30, 30, 30}, {220, 220, 220}};
    png_set_PLTE(png, info, palette, 2);
    png_write_info(png, info);
    png_byte row[2] = {1, 0};
    png_write_row(png, row);
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    std::fclose(file);
    const Image image = readPng(path);
    EXPECT_FLOAT_EQ(image.at(0, 0), 220 / 255.0f);
    EXPECT_FLOAT_EQ(image.at(1, 0), 30 / 255.0f);
    EXPECT_TRUE(image.warnings.empty());
}

TEST(PngIo, OneBitGrayIsExpandedToFullRange) {
    const auto path = tempPng("onebit");
    FILE* file = std::fopen(path.c_str(), "wb");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    png_init_io(png, file);
    png_set_IHDR(png, info, 8, 1, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    png_byte row[1] = {0xA0};  // 1 0 1 0 0 0 0 0
    png_write_row(png, row);
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    std::fclose(file);
    const Image image = readPng(path);
    EXPECT_FLOAT_EQ(image.at(0, 0), 1.0f);
    EXPECT_FLOAT_EQ(image.at(1, 0), 0.0f);
    EXPECT_FLOAT_EQ(image.at(2, 0), 1.0f);
}

TEST(PngIo, UserWindowReplacesTheFullRangeMapping) {
    Image image = makeImage(2, 1);
    image.at(0, 0) = 100 / 255.0f;
    image.at(1, 0) = 150 / 255.0f;
    writePng(image, tempPng("window"), 8);
    ImageReadOptions options;
    options.window = DisplayWindow{100.5, 101};  // maps 50..150 linearly
    const Image back = readPng(tempPng("window"), options);
    EXPECT_NEAR(back.at(0, 0), 0.5, 1e-6);
    EXPECT_NEAR(back.at(1, 0), 1.0, 1e-6);
    EXPECT_EQ(back.window_source, "user window");
}

TEST(PngIo, WritingRejectsBitDepthsOtherThanEightOrSixteen) {
    EXPECT_THROW(writePng(makeImage(2, 2), tempPng("bits12"), 12), ImageError);
}

TEST(PngIo, WritingIntoAMissingFolderNamesTheFile) {
    try {
        writePng(makeImage(2, 2), "/nonexistent-folder/x.png", 8);
        FAIL();
    } catch (const ImageError& error) {
        EXPECT_NE(std::string(error.what()).find("/nonexistent-folder/x.png"), std::string::npos);
    }
}

}  // namespace
}  // namespace dpflow
