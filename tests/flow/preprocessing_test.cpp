#include "flow/preprocessing.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace dpflow {
namespace {

// A width x height image of ones: what a film's exposed area looks like against black padding.
Image whiteImage(int width, int height) {
    Image image;
    image.width = width;
    image.height = height;
    image.pixels.assign(static_cast<size_t>(width) * height, 1.0f);
    return image;
}

float at(const std::vector<float>& pixels, int size, int x, int y) { return pixels[static_cast<size_t>(y) * size + x]; }

TEST(FitImage, SquarePadsTheShorterSideBeforeResizingSoNothingIsStretched) {
    // 40 x 20: on a 40 x 40 canvas the image fills rows 10..29; at 8 px that is rows 2..5.
    const auto fitted = fitImage(whiteImage(40, 20), 8, FitMode::Square);
    ASSERT_EQ(fitted.size(), 64u);
    EXPECT_FLOAT_EQ(at(fitted, 8, 4, 0), 0.0f);
    EXPECT_FLOAT_EQ(at(fitted, 8, 4, 7), 0.0f);
    EXPECT_NEAR(at(fitted, 8, 4, 3), 1.0f, 1e-5);
    EXPECT_NEAR(at(fitted, 8, 0, 4), 1.0f, 1e-5);  // the longer side spans the whole width
}

TEST(FitImage, SquareOfASquareImageIsAPlainResize) {
    Image image = whiteImage(16, 16);
    for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<float>(i % 16) / 15.0f;
    EXPECT_EQ(fitImage(image, 8, FitMode::Square), fitImage(image, 8, FitMode::Resize));
}

TEST(FitImage, ResizeStretchesANonSquareImage) {
    const auto fitted = fitImage(whiteImage(40, 20), 8, FitMode::Resize);
    EXPECT_NEAR(at(fitted, 8, 4, 0), 1.0f, 1e-5);
}

TEST(FitImage, FitModeNamesRoundTrip) {
    for (const FitMode mode : {FitMode::Pad, FitMode::Resize, FitMode::Square})
        EXPECT_EQ(parseFitMode(fitModeName(mode)), mode);
    EXPECT_THROW(parseFitMode("crop"), std::invalid_argument);
}

}  // namespace
}  // namespace dpflow
