#include "privacy/image_space_mechanisms.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace dpflow {
namespace {

Image gradient(int width, int height) {
    Image image = makeImage(width, height);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) image.at(x, y) = static_cast<float>(x + y) / (width + height - 2);
    return image;
}

TEST(PixelMechanism, AccountsTheWholeImageAsSensitivity) {
    SeededTestRandomSource source(1);
    const ImageSpaceRelease release = privatizePixels(gradient(32, 16), 1000.0, source);
    EXPECT_EQ(release.plan.l1_sensitivity, 512.0);
    EXPECT_EQ(release.plan.dimension, 512u);
    EXPECT_NEAR(release.plan.scale, 512.0 / 1000.0, 1e-9);
}

TEST(PixelMechanism, KeepsEveryOutputInTheDisplayRange) {
    SeededTestRandomSource source(2);
    const ImageSpaceRelease release = privatizePixels(gradient(32, 32), 1.0, source);
    for (float v : release.image.pixels) {
        EXPECT_GE(v, 0.0f);
        EXPECT_LE(v, 1.0f);
    }
    EXPECT_GT(release.clipped_fraction, 0.9);  // b = 1024: almost every value leaves [0, 1]
}

TEST(PixelMechanism, ChangesLittleAtAnEnormousBudget) {
    SeededTestRandomSource source(3);
    const Image original = gradient(16, 16);
    const ImageSpaceRelease release = privatizePixels(original, 1e9, source);  // b = 2.6e-7
    for (std::size_t i = 0; i < original.pixels.size(); ++i)
        EXPECT_NEAR(release.image.pixels[i], original.pixels[i], 1e-4);
}

TEST(DpPixMechanism, PaintsOneValuePerCell) {
    SeededTestRandomSource source(4);
    const ImageSpaceRelease release = privatizeDpPix(gradient(16, 16), 4, 1, 10.0, source);
    for (int y = 0; y < 16; ++y)
        for (int x = 0; x < 16; ++x) EXPECT_EQ(release.image.at(x, y), release.image.at(x / 4 * 4, y / 4 * 4));
}

TEST(DpPixMechanism, UsesFansScaleInDisplayUnits) {
    SeededTestRandomSource source(5);
    const ImageSpaceRelease release = privatizeDpPix(gradient(16, 16), 4, 8, 2.0, source);
    EXPECT_DOUBLE_EQ(release.plan.l1_sensitivity, 8.0 / 16.0);  // 255 m / b^2 in 0..255 units
    EXPECT_EQ(release.plan.dimension, 16u);
    EXPECT_NEAR(release.plan.scale, 0.25, 1e-9);
}

TEST(DpPixMechanism, PartialEdgeCellsRaiseTheSensitivity) {
    SeededTestRandomSource source(6);
    // 10 x 10 in cells of 4: the bottom-right cell is 2 x 2, so one pixel moves its mean by 1/4.
    const ImageSpaceRelease release = privatizeDpPix(gradient(10, 10), 4, 1, 1.0, source);
    EXPECT_DOUBLE_EQ(release.plan.l1_sensitivity, 0.25);
    EXPECT_EQ(release.plan.dimension, 9u);
}

TEST(CellMechanism, WithoutNoisePaintsEachCellsMeanIncludingPartialEdgeCells) {
    const Image image = gradient(5, 3);  // cells of 2: a 3 x 2 grid, the last column and row partial
    const LaplaceNoisePlan plan = planDpPixNoise(5, 3, 2, 1, 1.0);
    const ImageSpaceRelease release = applyCellMechanism(image, 2, plan, [](std::size_t, double value) { return value; });
    const float top_left = (image.at(0, 0) + image.at(1, 0) + image.at(0, 1) + image.at(1, 1)) / 4.0f;
    EXPECT_NEAR(release.image.at(1, 1), top_left, 1e-6);
    EXPECT_NEAR(release.image.at(4, 2), image.at(4, 2), 1e-6);  // a 1 x 1 corner cell
    EXPECT_EQ(release.clipped_fraction, 0.0);
}

TEST(CellMechanism, AddsTheInjectedNoiseToCellNumberIndexAndClips) {
    const Image image = gradient(4, 4);
    std::vector<std::size_t> seen;
    const ImageSpaceRelease release = applyCellMechanism(image, 2, planDpPixNoise(4, 4, 2, 1, 1.0),
                                                         [&seen](std::size_t index, double value) {
                                                             seen.push_back(index);
                                                             return index == 3 ? value + 5.0 : value;
                                                         });
    EXPECT_EQ(seen, (std::vector<std::size_t>{0, 1, 2, 3}));  // row-major over the cells
    EXPECT_EQ(release.image.at(3, 3), 1.0f);                  // cell 3 pushed above 1 and clipped
    EXPECT_DOUBLE_EQ(release.clipped_fraction, 0.25);
}

TEST(ImageSpaceMechanisms, RefuseMeaninglessSettings) {
    SeededTestRandomSource source(7);
    EXPECT_THROW(privatizePixels(Image{}, 1.0, source), std::invalid_argument);
    EXPECT_THROW(privatizePixels(gradient(4, 4), 0.0, source), std::invalid_argument);
    EXPECT_THROW(privatizeDpPix(gradient(4, 4), 0, 1, 1.0, source), std::invalid_argument);
    EXPECT_THROW(privatizeDpPix(gradient(4, 4), 2, 0, 1.0, source), std::invalid_argument);
}

}  // namespace
}  // namespace dpflow
