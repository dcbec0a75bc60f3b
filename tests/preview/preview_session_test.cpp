#include "preview/preview_session.h"

#include "preview_test_support.h"

#include "privacy/random_source.h"

#include <gtest/gtest.h>

namespace dpflow::test {
namespace {

class PreviewSessionTest : public ::testing::Test {
protected:
    void SetUp() override { session.setImage(chestImage(), labelZero()); }
    SystemRandomSource source;
    PreviewSession session{pneumoniaReference(), source};
};

TEST_F(PreviewSessionTest, TheOriginalIsTheImageAtTheModelsSize) {
    EXPECT_EQ(session.modelImage().width, 32);
    EXPECT_EQ(session.modelImage().height, 32);
    EXPECT_EQ(session.modelImage().pixels, pneumoniaFlow().prepare(chestImage()));
}

TEST_F(PreviewSessionTest, TheSameRequestGivesTheSameImage) {
    const auto request = previewRequest(PrivacyMechanism::DpGlow, 3e4);
    const PreviewResult first = session.render(request);
    const PreviewResult second = session.render(request);
    EXPECT_EQ(first.image.pixels, second.image.pixels);
    EXPECT_GT(meanAbsoluteDifference(first.image, session.modelImage()), 1e-3);  // the noise is there
}

TEST_F(PreviewSessionTest, ANewNoiseDrawChangesThePreview) {
    const auto request = previewRequest(PrivacyMechanism::DpGlow, 3e4);
    const PreviewResult before = session.render(request);
    session.newNoiseDraw();
    const PreviewResult after = session.render(request);
    EXPECT_GT(meanAbsoluteDifference(before.image, after.image), 1e-3);
    EXPECT_EQ(after.image_generation, before.image_generation + 1);
}

TEST_F(PreviewSessionTest, DoublingEpsilonHalvesTheNoiseAmplitude) {
    // In pixel space the preview is original + b * unit draw, so where nothing was clipped the
    // noise itself halves exactly when eps doubles.
    const Image& original = session.modelImage();
    const PreviewResult at_eps = session.render(previewRequest(PrivacyMechanism::Pixel, 2e5));
    const PreviewResult at_double = session.render(previewRequest(PrivacyMechanism::Pixel, 4e5));
    EXPECT_NEAR(at_eps.accounting.plan->scale / at_double.accounting.plan->scale, 2.0, 1e-9);
    int compared = 0;
    for (std::size_t i = 0; i < original.pixels.size(); ++i) {
        const double a = at_eps.image.pixels[i], b = at_double.image.pixels[i];
        if (a <= 0.0 || a >= 1.0 || std::abs(b - original.pixels[i]) < 1e-4) continue;
        EXPECT_NEAR((a - original.pixels[i]) / (b - original.pixels[i]), 2.0, 1e-2) << "pixel " << i;
        ++compared;
    }
    EXPECT_GT(compared, 512);  // most pixels: the black border clips
}

TEST_F(PreviewSessionTest, MoreBudgetBringsTheLatentPreviewCloserToTheOriginal) {
    const double far = meanAbsoluteDifference(session.render(previewRequest(PrivacyMechanism::DpGlow, 1e4)).image, session.modelImage());
    const double near = meanAbsoluteDifference(session.render(previewRequest(PrivacyMechanism::DpGlow, 1e7)).image, session.modelImage());
    EXPECT_LT(near, far / 4);
    EXPECT_LT(near, 0.02);
}

TEST_F(PreviewSessionTest, AccountingEqualsThePrivatizersForEveryMechanism) {
    for (const auto mechanism : {PrivacyMechanism::DpGlow, PrivacyMechanism::Cadp, PrivacyMechanism::Pixel, PrivacyMechanism::DpPix}) {
        const auto request = previewRequest(mechanism, 5e4, true, 1.5);
        PrivatizerSettings settings{request.settings.mechanism, isLatentMechanism(mechanism) ? request.settings.attributes : AttributePolicy{}, {}};
        const Privatizer privatizer(settings, pneumoniaReference(), source);
        const ReleaseAccounting expected = privatizer.accounting(32, 32);
        const ReleaseAccounting shown = session.render(request).accounting;
        SCOPED_TRACE(mechanismName(mechanism));
        EXPECT_EQ(shown.plan->scale, expected.plan->scale);
        EXPECT_EQ(shown.plan->l1_sensitivity, expected.plan->l1_sensitivity);
        EXPECT_EQ(shown.plan->dimension, expected.plan->dimension);
        EXPECT_EQ(shown.epsilon_total, expected.epsilon_total);
        EXPECT_EQ(shown.partsText(), expected.partsText());
    }
}

TEST_F(PreviewSessionTest, ProtectingAnAttributeAddsItsEpsilonToTheTotal) {
    const ReleaseAccounting kept = session.render(previewRequest(PrivacyMechanism::DpGlow, 1e5)).accounting;
    const ReleaseAccounting protected_label = session.render(previewRequest(PrivacyMechanism::DpGlow, 1e5, true, 2.0)).accounting;
    EXPECT_EQ(kept.epsilon_total, 1e5);
    EXPECT_EQ(protected_label.epsilon_total, 1e5 + 2.0);
    EXPECT_NE(protected_label.partsText().find("eps_label 2"), std::string::npos) << protected_label.partsText();
}

TEST_F(PreviewSessionTest, AProtectedAttributeWithAHugeBudgetKeepsItsTrueValue) {
    EXPECT_EQ(session.render(previewRequest(PrivacyMechanism::DpGlow, 1e5, true, 50.0)).released_attributes.at("label"), "0");
}

TEST_F(PreviewSessionTest, PreviewsAreStampedAndExportsAreNot) {
    const auto request = previewRequest(PrivacyMechanism::DpGlow, 3e4);
    EXPECT_TRUE(isPreviewImage(session.render(request).image));
    const PrivatizedImage release = session.exportRelease(request);
    ASSERT_TRUE(release.image);
    EXPECT_FALSE(isPreviewImage(*release.image));
}

TEST_F(PreviewSessionTest, ExportDrawsFreshNoiseWithTheSameAccounting) {
    const auto request = previewRequest(PrivacyMechanism::DpGlow, 3e4);
    const PreviewResult preview = session.render(request);
    const PrivatizedImage first = session.exportRelease(request);
    const PrivatizedImage second = session.exportRelease(request);
    ASSERT_TRUE(first.image && second.image);
    EXPECT_GT(meanAbsoluteDifference(*first.image, preview.image), 1e-3);
    EXPECT_GT(meanAbsoluteDifference(*first.image, *second.image), 1e-3);
    EXPECT_EQ(first.record.accounting.plan->scale, preview.accounting.plan->scale);
    EXPECT_EQ(first.record.accounting.epsilon_total, preview.accounting.epsilon_total);
    EXPECT_EQ(first.record.randomness, "getrandom");
    EXPECT_FALSE(first.record.not_private);
}

TEST_F(PreviewSessionTest, ChangingTheTrueAttributesReusesACachedEncoding) {
    session.setTrueAttributes({{"label", "1"}});
    EXPECT_GT(session.lastEncodeMilliseconds(), 0.0);
    session.setTrueAttributes({{"label", "0"}});
    EXPECT_EQ(session.lastEncodeMilliseconds(), 0.0);
    EXPECT_EQ(session.trueAttributes().at("label"), "0");
}

TEST_F(PreviewSessionTest, SettingsThePrivatizerRefusesAreRefused) {
    EXPECT_THROW(session.render(previewRequest(PrivacyMechanism::DpGlow, 0.0)), std::invalid_argument);
    PreviewRequest missing_attribute = previewRequest(PrivacyMechanism::DpGlow, 1e5);
    missing_attribute.settings.attributes.clear();
    EXPECT_THROW(session.render(missing_attribute), std::invalid_argument);
}

TEST(PreviewSession, RenderingWithoutAnImageIsALogicError) {
    SystemRandomSource source;
    const PreviewSession session(pneumoniaReference(), source);
    EXPECT_THROW(session.render(previewRequest(PrivacyMechanism::DpGlow, 1e5)), std::logic_error);
}

}  // namespace
}  // namespace dpflow::test
