#include "flow/training_augmentation.h"

#include <gtest/gtest.h>

namespace dpflow {
namespace {

// A film-like test pattern: a bright block left of centre (the "heart"), dark elsewhere.
torch::Tensor asymmetricFilm(int64_t count, int64_t side) {
    auto levels = torch::full({count, 1, side, side}, 40, torch::kUInt8);
    levels.narrow(2, side / 4, side / 2).narrow(3, side / 8, side / 4).fill_(200);
    return levels;
}

// Centre of mass along the columns of each image.
torch::Tensor columnCentre(const torch::Tensor& levels) {
    const auto x = levels.to(torch::kFloat32);
    const auto columns = torch::arange(x.size(3), torch::kFloat32).view({1, 1, 1, -1});
    return (x * columns).sum({1, 2, 3}) / x.sum({1, 2, 3});
}

TEST(TrainingAugmentation, NothingEnabledReturnsTheBatchUnchanged) {
    const auto levels = asymmetricFilm(3, 16);
    const auto out = augmentLevels(levels, TrainingAugmentation{}, 256, at::detail::createCPUGenerator(1));
    EXPECT_TRUE(torch::equal(out, levels));
}

TEST(TrainingAugmentation, OutputStaysDiscreteLevelsOfTheSameShape) {
    const auto levels = asymmetricFilm(4, 32);
    const TrainingAugmentation augmentation{3.0, 0.1, 0.2};
    const auto out = augmentLevels(levels, augmentation, 32, at::detail::createCPUGenerator(2));
    EXPECT_EQ(out.sizes(), levels.sizes());
    EXPECT_EQ(out.scalar_type(), torch::kUInt8);
    EXPECT_LE(out.max().item<int>(), 31);
}

TEST(TrainingAugmentation, ShiftsStayWithinTheLimitAndNeverFlip) {
    const auto levels = asymmetricFilm(64, 64);
    const TrainingAugmentation shift_only{4.0, 0.0, 0.0};
    const auto out = augmentLevels(levels, shift_only, 256, at::detail::createCPUGenerator(3));
    const auto moved = (columnCentre(out) - columnCentre(levels)).abs();
    EXPECT_LE(moved.max().item<float>(), 4.5f);
    EXPECT_GT(moved.max().item<float>(), 0.5f);  // it does move images
    // The bright block stays in the left half: a flip would put it right of centre.
    EXPECT_LT(columnCentre(out).max().item<float>(), 32.0f);
}

TEST(TrainingAugmentation, EachImageGetsItsOwnDrawAndTheSeedRepeatsIt) {
    const auto levels = asymmetricFilm(8, 32);
    const TrainingAugmentation augmentation{2.0, 0.05, 0.1};
    const auto a = augmentLevels(levels, augmentation, 256, at::detail::createCPUGenerator(4));
    const auto b = augmentLevels(levels, augmentation, 256, at::detail::createCPUGenerator(4));
    EXPECT_TRUE(torch::equal(a, b));
    EXPECT_FALSE(torch::equal(a[0], a[1]));
}

TEST(TrainingAugmentation, ContrastKeepsTheMeanLevelWithinTheBrightnessLimit) {
    const auto levels = asymmetricFilm(32, 32);
    const TrainingAugmentation contrast_only{0.0, 0.0, 0.2};
    const auto out = augmentLevels(levels, contrast_only, 256, at::detail::createCPUGenerator(5));
    const auto shift = (out.to(torch::kFloat32).mean({1, 2, 3}) - levels.to(torch::kFloat32).mean({1, 2, 3})).abs();
    EXPECT_LE(shift.max().item<float>(), 0.1f * 255.0f + 1.0f);
}

}  // namespace
}  // namespace dpflow
