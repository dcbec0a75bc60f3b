#include "phantom/bitmap_font.h"

#include <gtest/gtest.h>

#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace dpflow {
namespace {

TEST(BitmapFont, HasGlyphsForLettersDigitsAndNamePunctuation) {
    for (char c : std::string("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -.,:/^()'#_")) EXPECT_TRUE(BitmapFont::hasGlyph(c)) << c;
    EXPECT_TRUE(BitmapFont::hasGlyph('q'));
    EXPECT_FALSE(BitmapFont::hasGlyph('@'));
}

TEST(BitmapFont, MeasuresSixSeventhsOfTheHeightPerCharacter) {
    const PixelBox box = BitmapFont::measure("AB", 10, 20, 14);
    EXPECT_EQ(box.x, 10);
    EXPECT_EQ(box.y, 20);
    EXPECT_EQ(box.width, 22);  // (2 * 6 - 1) font pixels of 2 image pixels
    EXPECT_EQ(box.height, 14);
}

TEST(BitmapFont, RasterizedTextCoversPixelsOnlyInsideItsBox) {
    const int width = 40, height = 20;
    std::vector<float> coverage(width * height, 0.0f);
    BitmapFont::rasterize("L1", 3, 4, 7, coverage, width, height);
    const PixelBox box = BitmapFont::measure("L1", 3, 4, 7);
    float inside = 0;
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const float c = coverage[y * width + x];
            if (box.contains(x, y)) inside += c;
            else EXPECT_EQ(c, 0.0f) << x << "," << y;
        }
    EXPECT_FLOAT_EQ(inside, 11.0f + 10.0f);  // lit dots of "L" (11) and "1" (10), one pixel each
}

TEST(BitmapFont, RejectsCharactersWithoutGlyph) {
    std::vector<float> coverage(100, 0.0f);
    EXPECT_THROW(BitmapFont::rasterize("A@B", 0, 0, 7, coverage, 10, 10), std::invalid_argument);
}

}  // namespace
}  // namespace dpflow
