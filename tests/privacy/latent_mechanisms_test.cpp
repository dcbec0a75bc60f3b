#include "privacy/latent_mechanisms.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

namespace dpflow {
namespace {

LatentBox symmetricBox(std::size_t dimension, float bound) {
    return LatentBox{std::vector<float>(dimension, -bound), std::vector<float>(dimension, bound)};
}

TEST(LatentBoxMechanism, SensitivityIsTheSumOfTheBoxWidths) {
    // The privacy page's example: D = 16384 and bounds of +-4 give Delta = 131072.
    EXPECT_DOUBLE_EQ(symmetricBox(16384, 4.0f).l1Sensitivity(), std::nextafter(131072.0, INFINITY));
}

TEST(LatentBoxMechanism, AccountsDeltaGridAndScaleExactly) {
    SeededTestRandomSource source(1);
    const LatentRelease release = privatizeLatentInBox(std::vector<float>(16384, 0.5f), symmetricBox(16384, 4.0f), 1e5, source);
    EXPECT_NEAR(release.plan.l1_sensitivity, 131072.0, 1e-6);
    EXPECT_EQ(release.plan.granularity, std::ldexp(1.0, -39));  // (131072 / 1e5) / 2^40 lies in (2^-40, 2^-39]
    EXPECT_NEAR(release.plan.scale, 1.31072, 1e-9);
}

TEST(LatentBoxMechanism, ClipsTheInputAndReportsHowMuch) {
    SeededTestRandomSource source(2);
    std::vector<float> latent = {-9.0f, 0.0f, 0.5f, 7.0f};
    const LatentRelease release = privatizeLatentInBox(latent, symmetricBox(4, 1.0f), 1e12, source);
    EXPECT_DOUBLE_EQ(release.input_clipped_fraction, 0.5);
    EXPECT_NEAR(release.latent[0], -1.0f, 1e-6);
    EXPECT_NEAR(release.latent[2], 0.5f, 1e-6);
    EXPECT_NEAR(release.latent[3], 1.0f, 1e-6);
}

TEST(LatentBoxMechanism, KeepsTheNoisyLatentInsideTheBox) {
    SeededTestRandomSource source(3);
    const LatentRelease release = privatizeLatentInBox(std::vector<float>(1000, 0.0f), symmetricBox(1000, 2.0f), 1.0, source);
    for (float u : release.latent) {
        EXPECT_GE(u, -2.0f);
        EXPECT_LE(u, 2.0f);
    }
    EXPECT_GT(release.output_clipped_fraction, 0.99);  // b = 4000: noise dwarfs the box
}

TEST(LatentBoxMechanism, RefusesAMismatchedCalibration) {
    SeededTestRandomSource source(4);
    EXPECT_THROW(privatizeLatentInBox(std::vector<float>(5, 0.0f), symmetricBox(4, 1.0f), 1.0, source), std::invalid_argument);
    LatentBox inverted{{1.0f}, {0.0f}};
    EXPECT_THROW(privatizeLatentInBox({0.0f}, inverted, 1.0, source), std::invalid_argument);
}

TEST(LatentL1BallMechanism, ScalesEachImageIntoTheBallOnItsOwn) {
    SeededTestRandomSource source(5);
    const std::vector<float> latent = {3.0f, -1.0f, 0.0f, 4.0f};  // ||u||_1 = 8
    const LatentRelease release = privatizeLatentInL1Ball(latent, 2.0, 1e15, source);
    EXPECT_DOUBLE_EQ(release.input_scale_factor, 0.25);
    EXPECT_NEAR(release.latent[0], 0.75f, 1e-6);
    EXPECT_NEAR(release.latent[3], 1.0f, 1e-6);
    EXPECT_DOUBLE_EQ(release.input_clipped_fraction, 1.0);
}

TEST(LatentL1BallMechanism, SensitivityIsTwiceTheRadiusAndScaleTwoSOverEps) {
    SeededTestRandomSource source(6);
    const LatentRelease release = privatizeLatentInL1Ball(std::vector<float>(100, 0.01f), 50.0, 4.0, source);
    EXPECT_DOUBLE_EQ(release.plan.l1_sensitivity, 100.0);
    EXPECT_NEAR(release.plan.scale, 25.0, 1e-9);
    EXPECT_DOUBLE_EQ(release.input_scale_factor, 1.0);  // ||u||_1 = 1 <= s
}

TEST(LatentDecodingTest, DirectDecodesTheNoisyLatentItself) {
    LatentRelease release;
    release.latent = {1.0f, -2.0f, 0.5f};
    release.plan.scale = 3.0;
    EXPECT_EQ(decodableLatent(release, LatentDecoding::Direct), release.latent);
}

TEST(LatentDecodingTest, ShrinkScalesByTheLinearLeastSquaresFactorOfTheNoiseScale) {
    LatentRelease release;
    release.latent = {1.0f, -2.0f, 0.5f};
    release.plan.scale = 0.5;  // noise variance 2 b^2 = 0.5, prior variance 1: k = 1 / 1.5
    const auto shrunk = decodableLatent(release, LatentDecoding::Shrink);
    EXPECT_FLOAT_EQ(shrunk[0], 1.0f / 1.5f);
    EXPECT_FLOAT_EQ(shrunk[1], -2.0f / 1.5f);
    EXPECT_DOUBLE_EQ(latentShrinkFactor(0.0), 1.0);  // no noise: nothing to undo
    EXPECT_NEAR(latentShrinkFactor(100.0), 5e-5, 1e-7);  // overwhelming noise: back to the prior mode
}

TEST(LatentDecodingTest, NamesParseBackAndUnknownNamesAreRefused) {
    EXPECT_EQ(parseLatentDecoding(latentDecodingName(LatentDecoding::Shrink)), LatentDecoding::Shrink);
    EXPECT_EQ(parseLatentDecoding(latentDecodingName(LatentDecoding::Direct)), LatentDecoding::Direct);
    EXPECT_THROW(parseLatentDecoding("denoise"), std::invalid_argument);
}

}  // namespace
}  // namespace dpflow
