#include "phantom/phantom_study.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dpflow {
namespace {

RenderOptions sized(int size) {
    RenderOptions options;
    options.size = size;
    return options;
}

double meanAbsDifference(const Image& a, const Image& b, const PixelBox& box) {
    double sum = 0;
    for (int y = box.y; y < box.y + box.height; ++y)
        for (int x = box.x; x < box.x + box.width; ++x) sum += std::abs(a.at(x, y) - b.at(x, y));
    return sum / (static_cast<double>(box.width) * box.height);
}

TEST(RadiographRenderer, RejectsSizesOutsideTheSupportedRange) {
    const PhantomImageSpec spec = describePhantomImage(1, 0, 0, 0.3);
    EXPECT_THROW(renderPhantomImage(spec, sized(kMinPhantomSize - 1)), std::invalid_argument);
    EXPECT_THROW(renderPhantomImage(spec, sized(kMaxPhantomSize + 1)), std::invalid_argument);
    EXPECT_EQ(renderPhantomImage(spec, sized(kMinPhantomSize)).image.width, kMinPhantomSize);
}

TEST(RadiographRenderer, ProducesTwelveBitValuesWithDarkLungsAndBrightMediastinum) {
    const RenderedRadiograph r = renderPhantomImage(describePhantomImage(2, 0, 0, 0.0), sized(128));
    for (float v : r.image.pixels) {
        ASSERT_GE(v, 0.0f);
        ASSERT_LE(v, 1.0f);
        ASSERT_NEAR(v * 4095.0f, std::round(v * 4095.0f), 1e-2f);
    }
    // Mid-lung rows: the lung fields (a quarter in from each side) are darker than the midline.
    auto column_mean = [&](int x) {
        double sum = 0;
        for (int y = 50; y < 70; ++y) sum += r.image.at(x, y);
        return sum / 20;
    };
    EXPECT_LT(column_mean(34), column_mean(64) - 0.15);
    EXPECT_LT(column_mean(94), column_mean(64) - 0.15);
}

TEST(RadiographRenderer, MaskIsNonzeroExactlyWhenTheImageHasPathology) {
    int with = 0, without = 0;
    for (int p = 0; p < 10; ++p)
        for (int i = 0; i < 4; ++i) {
            const PhantomImageSpec spec = describePhantomImage(8, p, i, 0.5);
            const RenderedRadiograph r = renderPhantomImage(spec, sized(64));
            const bool marked = std::any_of(r.mask.begin(), r.mask.end(), [](std::uint8_t m) { return m != 0; });
            const bool consolidation = std::count(r.mask.begin(), r.mask.end(), kMaskConsolidation) > 0;
            EXPECT_EQ(marked, spec.pathology.any()) << "patient " << p << " image " << i;
            EXPECT_EQ(consolidation, spec.pathology.consolidation.present) << "patient " << p << " image " << i;
            (spec.pathology.any() ? with : without)++;
        }
    EXPECT_GT(with, 5);
    EXPECT_GT(without, 5);
}

TEST(RadiographRenderer, ConsolidationBrightensTheLungWhereTheMaskIs) {
    PhantomImageSpec spec = describePhantomImage(4, 1, 0, 1.0);
    ASSERT_TRUE(spec.pathology.consolidation.present);
    spec.pathology.consolidation.severity = 1.0;
    spec.pathology.consolidation.density = 0.85;
    const RenderedRadiograph sick = renderPhantomImage(spec, sized(128));
    spec.pathology = Pathology{};
    const RenderedRadiograph clear = renderPhantomImage(spec, sized(128));
    double difference = 0;
    int pixels = 0;
    for (std::size_t i = 0; i < sick.mask.size(); ++i)
        if (sick.mask[i] == kMaskConsolidation) difference += sick.image.pixels[i] - clear.image.pixels[i], ++pixels;
    ASSERT_GT(pixels, 20);
    EXPECT_GT(difference / pixels, 0.05);
}

TEST(RadiographRenderer, BurnedInTextChangesOnlyThePixelsOfItsBox) {
    const PhantomImageSpec spec = describePhantomImage(6, 2, 1, 0.3);
    RenderOptions plain = sized(256);
    plain.burn_in_text = false;
    const RenderedRadiograph with = renderPhantomImage(spec, sized(256));
    const RenderedRadiograph without = renderPhantomImage(spec, plain);
    ASSERT_FALSE(with.text_box.empty());
    EXPECT_TRUE(without.text_box.empty());
    EXPECT_GT(meanAbsDifference(with.image, without.image, with.text_box), 0.05);
    for (int y = 0; y < 256; ++y)
        for (int x = 0; x < 256; ++x)
            if (!with.text_box.contains(x, y)) {
                ASSERT_EQ(with.image.at(x, y), without.image.at(x, y)) << x << "," << y;
            }
}

TEST(RadiographRenderer, LeadMarkerShowsInsideItsRecordedBox) {
    const PhantomImageSpec spec = describePhantomImage(6, 2, 1, 0.3);
    RenderOptions plain = sized(256);
    plain.place_marker = false;
    const RenderedRadiograph with = renderPhantomImage(spec, sized(256));
    const RenderedRadiograph without = renderPhantomImage(spec, plain);
    ASSERT_FALSE(with.marker_box.empty());
    double strongest = 0;
    for (int y = with.marker_box.y; y < with.marker_box.y + with.marker_box.height; ++y)
        for (int x = with.marker_box.x; x < with.marker_box.x + with.marker_box.width; ++x)
            strongest = std::max(strongest, static_cast<double>(with.image.at(x, y) - without.image.at(x, y)));
    EXPECT_GT(strongest, 0.3);  // the lead letter is near white
    // The marker sits on the side it names: the patient's left is image right.
    const bool right_half = with.marker_box.x > 128;
    EXPECT_EQ(right_half, spec.acquisition.marker_side == 'L');
    // Far from the marker, only the automatic window moves a little.
    EXPECT_LT(meanAbsDifference(with.image, without.image, PixelBox{100, 200, 50, 40}), 0.02);
}

}  // namespace
}  // namespace dpflow
