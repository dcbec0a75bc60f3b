#include "eval/image_similarity.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace dpflow {
namespace {

// A 16x16 ramp pattern and a perturbed copy, reproducible in numpy (see the skimage test below).
Image fixedPattern() {
    Image image = makeImage(16, 16);
    for (int y = 0; y < 16; ++y)
        for (int x = 0; x < 16; ++x) image.at(x, y) = static_cast<float>((x * 7 + y * 3) % 16) / 15.0f;
    return image;
}

Image perturbedPattern() {
    Image image = fixedPattern();
    for (int y = 0; y < 16; ++y)
        for (int x = 0; x < 16; ++x)
            image.at(x, y) = std::clamp(image.at(x, y) + 0.2f * std::sin(static_cast<float>(x + 2 * y)), 0.0f, 1.0f);
    return image;
}

TEST(ImageSimilarity, IdenticalImagesHaveSsimOneAndInfinitePsnr) {
    const Image image = fixedPattern();
    EXPECT_NEAR(structuralSimilarity(image, image), 1.0, 1e-12);
    EXPECT_EQ(peakSignalToNoiseRatio(image, image), std::numeric_limits<double>::infinity());
}

TEST(ImageSimilarity, ConstantImagesKeepOnlyTheLuminanceTerm) {
    // Zero variances: SSIM = (2 p q + C1) / (p^2 + q^2 + C1) with C1 = 0.01^2.
    const double c1 = 1e-4;
    const double expected = (2 * 0.2 * 0.6 + c1) / (0.2 * 0.2 + 0.6 * 0.6 + c1);
    EXPECT_NEAR(structuralSimilarity(makeImage(20, 12, 0.2f), makeImage(20, 12, 0.6f)), expected, 1e-6);
}

TEST(ImageSimilarity, PsnrOfAUniformOffsetFollowsFromItsMse) {
    // Every pixel off by 0.1: MSE 0.01, PSNR = 10 log10(1 / 0.01) = 20 dB.
    EXPECT_NEAR(peakSignalToNoiseRatio(makeImage(8, 8, 0.3f), makeImage(8, 8, 0.4f)), 20.0, 1e-5);
}

TEST(ImageSimilarity, PsnrOfOneDifferingPixel) {
    Image a = makeImage(10, 10, 0.5f), b = a;
    b.at(3, 4) = 1.0f;  // MSE = 0.25 / 100
    EXPECT_NEAR(peakSignalToNoiseRatio(a, b), 10.0 * std::log10(400.0), 1e-5);
}

TEST(ImageSimilarity, MatchesSkimageOnFixedImages) {
    // Reference values from Debian's python3-skimage 0.19.3:
    //   skimage.metrics.structural_similarity(a, b, gaussian_weights=True, sigma=1.5,
    //       use_sample_covariance=False, data_range=1)
    // with a, b the float32 arrays fixedPattern() and perturbedPattern() built the same way in numpy.
    EXPECT_NEAR(structuralSimilarity(fixedPattern(), perturbedPattern()), 0.9165752663, 1e-6);
    EXPECT_NEAR(structuralSimilarity(fixedPattern(), makeImage(16, 16, 0.5f)), 0.0094523432, 1e-6);
}

TEST(ImageSimilarity, SizeMismatchIsRejected) {
    EXPECT_THROW(structuralSimilarity(makeImage(16, 16), makeImage(16, 17)), std::invalid_argument);
    EXPECT_THROW(peakSignalToNoiseRatio(makeImage(16, 16), makeImage(17, 16)), std::invalid_argument);
}

TEST(ImageSimilarity, ImagesSmallerThanTheWindowAreRejected) {
    EXPECT_THROW(structuralSimilarity(makeImage(10, 32), makeImage(10, 32)), std::invalid_argument);
}

}  // namespace
}  // namespace dpflow
