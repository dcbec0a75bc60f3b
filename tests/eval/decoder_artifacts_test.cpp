#include "eval/decoder_artifacts.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace dpflow {
namespace {

// A smooth film-like gradient (small block standard deviations everywhere).
Image smoothFilm(int side) {
    Image image = makeImage(side, side);
    for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x) image.at(x, y) = 0.3f + 0.4f * static_cast<float>(x + y) / (2 * side);
    return image;
}

TEST(DecoderArtifacts, AFaithfulDecodeHasNone) {
    const Image film = smoothFilm(64);
    const DecoderArtifacts found = countDecoderArtifacts(film, film);
    EXPECT_EQ(found.blocks, 16);
    EXPECT_EQ(found.artifacts(), 0);
}

TEST(DecoderArtifacts, ASquareNoiseBlockIsCounted) {
    const Image film = smoothFilm(64);
    Image decoded = film;
    for (int y = 16; y < 32; ++y)
        for (int x = 32; x < 48; ++x) decoded.at(x, y) = (x + y) % 2 ? 0.05f : 0.95f;  // checkerboard noise
    const DecoderArtifacts found = countDecoderArtifacts(film, decoded);
    EXPECT_EQ(found.noisy, 1);
    EXPECT_EQ(found.saturated, 0);
    ASSERT_EQ(found.where.size(), 1u);  // and where it is
    EXPECT_EQ(found.where[0].x, 32);
    EXPECT_EQ(found.where[0].y, 16);
    EXPECT_TRUE(found.where[0].noisy);
    EXPECT_FALSE(found.where[0].saturated);
}

TEST(DecoderArtifacts, ABlackPatchIsCountedOnlyWhereTheOriginalWasNotBlack) {
    Image film = smoothFilm(64);
    for (int y = 0; y < 16; ++y)
        for (int x = 0; x < 16; ++x) film.at(x, y) = 0.0f;  // a black corner of the film itself
    Image decoded = film;
    for (int y = 48; y < 64; ++y)
        for (int x = 48; x < 64; ++x) decoded.at(x, y) = 0.0f;  // a saturated patch the decoder made
    const DecoderArtifacts found = countDecoderArtifacts(film, decoded);
    EXPECT_EQ(found.saturated, 1);
    EXPECT_EQ(found.noisy, 0);
    ASSERT_EQ(found.where.size(), 1u);
    EXPECT_EQ(found.where[0].x, 48);
    EXPECT_EQ(found.where[0].y, 48);
    EXPECT_TRUE(found.where[0].saturated);
    EXPECT_DOUBLE_EQ(found.where[0].saturated_before, 0.0);
    EXPECT_DOUBLE_EQ(found.where[0].saturated_after, 1.0);
    EXPECT_NEAR(found.where[0].largest_change, 0.3f + 0.4f * 126.0f / 128.0f, 1e-6);  // the film's brightest pixel there
}

// A border block of NIH padding: 88% of it black, the rest one gray level above black. One
// level darker and it passes the 90% rule: the count flags it, and says how little it moved.
TEST(DecoderArtifacts, ABorderOneLevelDarkerIsFlaggedWithTheSizeOfItsChange) {
    constexpr float kOneLevel = 1.0f / 255.0f;
    Image film = smoothFilm(64);
    for (int y = 0; y < 16; ++y)
        for (int x = 0; x < 16; ++x) film.at(x, y) = y < 14 ? 0.0f : kOneLevel;  // 224 of 256 black
    Image decoded = film;
    for (int x = 0; x < 16; ++x) decoded.at(x, 14) = 0.0f;  // one row a level darker: 240 of 256
    const DecoderArtifacts found = countDecoderArtifacts(film, decoded);
    ASSERT_EQ(found.saturated, 1);
    EXPECT_DOUBLE_EQ(found.where[0].saturated_before, 224.0 / 256.0);
    EXPECT_DOUBLE_EQ(found.where[0].saturated_after, 240.0 / 256.0);
    EXPECT_NEAR(found.largestChangeInArtifacts(), kOneLevel, 1e-7);
}

TEST(DecoderArtifacts, DifferentSizesAreRefused) {
    EXPECT_THROW(countDecoderArtifacts(smoothFilm(64), smoothFilm(32)), std::invalid_argument);
    EXPECT_THROW(countDecoderArtifacts(smoothFilm(64), smoothFilm(64), 1), std::invalid_argument);
}

}  // namespace
}  // namespace dpflow
