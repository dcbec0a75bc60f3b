#include "image/voi_transform.h"

#include <gtest/gtest.h>

#include <cmath>

namespace dpflow {
namespace {

TEST(VoiTransform, LinearWindowFollowsPs3_3FormulaAtItsEdges) {
    const DisplayWindow window{100.0, 51.0};  // c - 0.5 - (w-1)/2 = 74.5, c - 0.5 + (w-1)/2 = 124.5
    EXPECT_DOUBLE_EQ(applyWindow(74.5, window, VoiFunction::Linear), 0.0);
    EXPECT_DOUBLE_EQ(applyWindow(75.0, window, VoiFunction::Linear), (75.0 - 99.5) / 50.0 + 0.5);
    EXPECT_DOUBLE_EQ(applyWindow(99.5, window, VoiFunction::Linear), 0.5);
    EXPECT_DOUBLE_EQ(applyWindow(124.5, window, VoiFunction::Linear), 1.0);
    EXPECT_DOUBLE_EQ(applyWindow(124.6, window, VoiFunction::Linear), 1.0);
}

TEST(VoiTransform, LinearExactWindowIsCenteredWithoutTheHalfPixelOffset) {
    const DisplayWindow window{0.0, 10.0};
    EXPECT_DOUBLE_EQ(applyWindow(-5.0, window, VoiFunction::LinearExact), 0.0);
    EXPECT_DOUBLE_EQ(applyWindow(0.0, window, VoiFunction::LinearExact), 0.5);
    EXPECT_DOUBLE_EQ(applyWindow(2.5, window, VoiFunction::LinearExact), 0.75);
    EXPECT_DOUBLE_EQ(applyWindow(5.1, window, VoiFunction::LinearExact), 1.0);
}

TEST(VoiTransform, SigmoidIsHalfAtTheCenter) {
    const DisplayWindow window{40.0, 400.0};
    EXPECT_DOUBLE_EQ(applyWindow(40.0, window, VoiFunction::Sigmoid), 0.5);
    EXPECT_NEAR(applyWindow(140.0, window, VoiFunction::Sigmoid), 1.0 / (1.0 + std::exp(-1.0)), 1e-12);
}

TEST(VoiTransform, RescaleAppliesSlopeAndIntercept) {
    DisplayTransform transform;
    transform.rescale_slope = 0.5;
    transform.rescale_intercept = -10.0;
    EXPECT_DOUBLE_EQ(modalityValue(100, transform), 40.0);
}

TEST(VoiTransform, ModalityLutReplacesRescaleAndClampsOutsideItsRange) {
    DisplayTransform transform;
    transform.rescale_slope = 100.0;
    transform.modality_lut = LookupTable{10, 16, {7, 8, 9}, ""};
    EXPECT_DOUBLE_EQ(modalityValue(5, transform), 7.0);
    EXPECT_DOUBLE_EQ(modalityValue(11, transform), 8.0);
    EXPECT_DOUBLE_EQ(modalityValue(99, transform), 9.0);
}

TEST(VoiTransform, InversionHappensAfterTheWindow) {
    DisplayTransform transform;
    transform.window = DisplayWindow{100.0, 51.0};
    transform.invert = true;
    const StoredFrame frame{3, 1, 12, false, {0, 75, 4000}};
    const std::vector<float> display = renderDisplay(frame, transform);
    EXPECT_FLOAT_EQ(display[0], 1.0f);
    EXPECT_FLOAT_EQ(display[1], static_cast<float>(1.0 - ((75.0 - 99.5) / 50.0 + 0.5)));
    EXPECT_FLOAT_EQ(display[2], 0.0f);
}

TEST(VoiTransform, MinMaxWindowMapsTheRangeOntoZeroToOne) {
    const DisplayWindow window = minMaxWindow(-100.0, 300.0);
    EXPECT_DOUBLE_EQ(applyWindow(-100.0, window, VoiFunction::Linear), 0.0);
    EXPECT_DOUBLE_EQ(applyWindow(100.0, window, VoiFunction::Linear), 0.5);
    EXPECT_DOUBLE_EQ(applyWindow(300.0, window, VoiFunction::Linear), 1.0);
}

TEST(VoiTransform, MinMaxWindowOfAConstantFrameShowsBlack) {
    EXPECT_DOUBLE_EQ(applyWindow(7.0, minMaxWindow(7.0, 7.0), VoiFunction::Linear), 0.0);
}

TEST(VoiTransform, FullRangeWindowDividesByTheLargestValue) {
    const DisplayWindow window = fullRangeWindow(12);
    EXPECT_DOUBLE_EQ(window.center, 2048.0);
    EXPECT_DOUBLE_EQ(window.width, 4096.0);
    EXPECT_NEAR(applyWindow(1000.0, window, VoiFunction::Linear), 1000.0 / 4095.0, 1e-15);
    EXPECT_DOUBLE_EQ(applyWindow(4095.0, window, VoiFunction::Linear), 1.0);
}

}  // namespace
}  // namespace dpflow
