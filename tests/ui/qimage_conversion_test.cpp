#include "qimage_conversion.h"

#include <gtest/gtest.h>

namespace dpflow::ui {
namespace {

TEST(QImageConversion, MapsDisplayValuesLinearlyToEightBits) {
    Image image = makeImage(3, 1);
    image.pixels = {0.0f, 0.5f, 1.0f};
    QImage rendered = toQImage(image);
    ASSERT_EQ(rendered.format(), QImage::Format_Grayscale8);
    EXPECT_EQ(rendered.pixelColor(0, 0).red(), 0);
    EXPECT_EQ(rendered.pixelColor(1, 0).red(), 128);
    EXPECT_EQ(rendered.pixelColor(2, 0).red(), 255);
}

TEST(QImageConversion, ClampsValuesOutsideTheDisplayRange) {
    Image image = makeImage(3, 1);
    image.pixels = {0.1f, 0.3f, 0.9f};
    QImage rendered = toQImage(image, DisplayRange{0.2f, 0.4f});
    EXPECT_EQ(rendered.pixelColor(0, 0).red(), 0);
    EXPECT_EQ(rendered.pixelColor(1, 0).red(), 128);
    EXPECT_EQ(rendered.pixelColor(2, 0).red(), 255);
}

TEST(QImageConversion, KeepsRowOrder) {
    Image image = makeImage(1, 2);
    image.pixels = {1.0f, 0.0f};
    QImage rendered = toQImage(image);
    EXPECT_EQ(rendered.pixelColor(0, 0).red(), 255);
    EXPECT_EQ(rendered.pixelColor(0, 1).red(), 0);
}

}  // namespace
}  // namespace dpflow::ui
