// The M5 safeguard's verdict on the live preview: the same reference set, feature and distance
// as export, measured on the shown draw.

#include "preview/preview_session.h"

#include "preview_test_support.h"

#include "flow/preprocessing.h"
#include "image/manifest.h"
#include "image/png_io.h"
#include "privacy/random_source.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include <unistd.h>

namespace dpflow::test {
namespace {

namespace fs = std::filesystem;

constexpr double kHugeEpsilon = 1e9;  // noise far below one grey level: the preview is the flow's reconstruction

class PreviewSafeguardTest : public ::testing::Test {
protected:
    void SetUp() override {
        fs::remove_all(folder);
        fs::create_directories(folder);
        // The radiograph at the model's size as its own file, so the reference feature (resized to
        // the model's size) and the preview share one geometry whatever the model's fit mode.
        Image model_size = makeImage(32, 32);
        model_size.pixels = pneumoniaFlow().prepare(chestImage());
        writePng(model_size, image_file, 16);
        session.setImage(readImage(image_file), labelZero());
    }
    void TearDown() override { fs::remove_all(folder); }

    fs::path writeReferenceManifest(const std::string& name, const std::vector<fs::path>& files) const {
        Manifest manifest({"file", "split", "label"}, folder);
        for (const auto& file : files) manifest.addRow({file.string(), "train", "0"});
        const fs::path path = folder / name;
        manifest.write(path);
        return path;
    }

    static fs::path otherRadiograph() {
        return fs::path(DPFLOW_SHARED_DATA_DIR) / "pneumoniamnist" / "png" / "test" / "test_00000_pneumonia.png";
    }

    static PreviewRequest safeguarded(PrivacyMechanism mechanism, double epsilon, const fs::path& reference, double tau,
                                      SafeguardPolicy policy = SafeguardPolicy::Withhold, int tries = 1) {
        PreviewRequest request = previewRequest(mechanism, epsilon);
        request.settings.safeguard = SafeguardSettings{reference, tau, policy, tries, true};
        return request;
    }

    const fs::path folder = fs::temp_directory_path() / ("dpflow-preview-safeguard-" + std::to_string(::getpid()));
    const fs::path image_file = folder / "radiograph.png";
    SystemRandomSource source;
    PreviewSession session{pneumoniaReference(), source};
};

TEST_F(PreviewSafeguardTest, WithoutASafeguardThePreviewCarriesNoVerdict) {
    EXPECT_FALSE(session.render(previewRequest(PrivacyMechanism::DpGlow, 1e5)).safeguard);
}

TEST_F(PreviewSafeguardTest, AReferenceSetHoldingTheImageItselfWithholdsANearlyNoiselessPreview) {
    const auto request = safeguarded(PrivacyMechanism::DpGlow, kHugeEpsilon, writeReferenceManifest("self.csv", {image_file}), 0.3);
    const PreviewResult preview = session.render(request);
    ASSERT_TRUE(preview.safeguard);
    const SafeguardVerdict& verdict = *preview.safeguard;
    EXPECT_LT(verdict.nearest_distance, 0.05);
    EXPECT_FALSE(verdict.passes());
    EXPECT_EQ(verdict.tau, 0.3);
    EXPECT_EQ(verdict.reference_images, 1u);
    EXPECT_TRUE(verdict.reference_holds_image);
    EXPECT_FALSE(verdict.reference_public);  // asserted public, but it holds the image being released
}

TEST_F(PreviewSafeguardTest, TheVerdictIsTheDistanceToTheNearestReferenceInExportsFeatureSpace) {
    const auto request = safeguarded(PrivacyMechanism::DpGlow, 3e4, writeReferenceManifest("two.csv", {image_file, otherRadiograph()}), 0.3);
    const PreviewResult preview = session.render(request);
    ASSERT_TRUE(preview.safeguard);
    const std::vector<float> shown = safeguardFeature(preview.image, 32);
    const double to_self = rmsDistance(shown, safeguardFeature(readImage(image_file), 32));
    // The 28 px reference is padded to 32 px, as the model fits its inputs, before its feature.
    Image other_fitted = makeImage(32, 32);
    other_fitted.pixels = fitImage(readImage(otherRadiograph()), 32, FitMode::Pad);
    const double to_other = rmsDistance(shown, safeguardFeature(other_fitted, 32));
    EXPECT_DOUBLE_EQ(preview.safeguard->nearest_distance, std::min(to_self, to_other));
    EXPECT_EQ(preview.safeguard->reference_images, 2u);
}

TEST_F(PreviewSafeguardTest, AReferenceAtItsSourceSizeIsFittedAsTheModelFitsItsInputs) {
    // The 28 px radiograph, padded into the 32 px model: its own source file as the reference
    // must be found at a distance of about zero, not compared misaligned by a plain resize.
    const fs::path source = fs::path(DPFLOW_SHARED_DATA_DIR) / "pneumoniamnist" / "png" / "test" / "test_00234_normal.png";
    session.setImage(readImage(source), labelZero());
    const PreviewResult preview =
        session.render(safeguarded(PrivacyMechanism::DpGlow, kHugeEpsilon, writeReferenceManifest("source.csv", {source}), 0.3));
    ASSERT_TRUE(preview.safeguard);
    EXPECT_LT(preview.safeguard->nearest_distance, 0.05);
    EXPECT_FALSE(preview.safeguard->passes());
}

TEST_F(PreviewSafeguardTest, TauZeroAlwaysPasses) {
    const auto request = safeguarded(PrivacyMechanism::DpGlow, kHugeEpsilon, writeReferenceManifest("self.csv", {image_file}), 0.0);
    const PreviewResult preview = session.render(request);
    ASSERT_TRUE(preview.safeguard);
    EXPECT_TRUE(preview.safeguard->passes());
}

TEST_F(PreviewSafeguardTest, AReferenceSetWithoutTheImageIsPublicAsAssertedAndFarAway) {
    const auto request = safeguarded(PrivacyMechanism::DpGlow, kHugeEpsilon, writeReferenceManifest("other.csv", {otherRadiograph()}), 0.3);
    const PreviewResult preview = session.render(request);
    ASSERT_TRUE(preview.safeguard);
    EXPECT_FALSE(preview.safeguard->reference_holds_image);
    EXPECT_TRUE(preview.safeguard->reference_public);
    EXPECT_GT(preview.safeguard->nearest_distance, 0.3);
    EXPECT_TRUE(preview.safeguard->passes());
}

TEST_F(PreviewSafeguardTest, ResampleReportsItsTries) {
    const auto request = safeguarded(PrivacyMechanism::DpGlow, kHugeEpsilon, writeReferenceManifest("self.csv", {image_file}), 0.3,
                                     SafeguardPolicy::Resample, 4);
    const PreviewResult preview = session.render(request);
    ASSERT_TRUE(preview.safeguard);
    EXPECT_EQ(preview.safeguard->policy, SafeguardPolicy::Resample);
    EXPECT_EQ(preview.safeguard->tries, 4);
    EXPECT_FALSE(preview.safeguard->passes());
    EXPECT_EQ(preview.accounting.safeguard_factor, 4);
}

TEST_F(PreviewSafeguardTest, AnUnreadableReferenceManifestIsAnErrorNamingIt) {
    const fs::path missing = folder / "no-such-reference.csv";
    try {
        session.render(safeguarded(PrivacyMechanism::DpGlow, 1e5, missing, 0.3));
        FAIL() << "rendering with an unreadable reference manifest did not throw";
    } catch (const std::exception& error) {
        EXPECT_NE(std::string(error.what()).find(missing.string()), std::string::npos) << error.what();
    }
    // The session is still usable, and a readable manifest at that path is read on the next request.
    writeReferenceManifest("no-such-reference.csv", {otherRadiograph()});
    EXPECT_TRUE(session.render(safeguarded(PrivacyMechanism::DpGlow, 1e5, missing, 0.3)).safeguard);
}

TEST_F(PreviewSafeguardTest, AReferenceImageThatCannotBeReadIsAnErrorNamingIt) {
    const fs::path broken = folder / "broken.png";
    std::ofstream(broken) << "not a png";
    const auto request = safeguarded(PrivacyMechanism::DpGlow, 1e5, writeReferenceManifest("broken.csv", {broken}), 0.3);
    try {
        session.render(request);
        FAIL() << "rendering with an unreadable reference image did not throw";
    } catch (const std::exception& error) {
        EXPECT_NE(std::string(error.what()).find("broken.png"), std::string::npos) << error.what();
    }
}

TEST_F(PreviewSafeguardTest, PreviewAndExportAgreeOnTheVerdict) {
    // At a huge eps a fresh export draw lands where the preview's did, so both see the same distance.
    for (const double tau : {0.0, 0.3}) {
        SCOPED_TRACE(tau);
        const auto request = safeguarded(PrivacyMechanism::DpGlow, kHugeEpsilon, writeReferenceManifest("self.csv", {image_file}), tau);
        const SafeguardVerdict verdict = *session.render(request).safeguard;
        const PrivatizedImage release = session.exportRelease(request);
        const auto& recorded = release.record.safeguard;
        ASSERT_EQ(recorded.distances.size(), 1u);
        EXPECT_NEAR(recorded.distances[0], verdict.nearest_distance, 1e-3);
        EXPECT_EQ(release.record.withheld, !verdict.passes());
        EXPECT_EQ(recorded.reference_public, verdict.reference_public);
        EXPECT_EQ(recorded.reference_images, verdict.reference_images);
        EXPECT_EQ(recorded.tau, verdict.tau);
    }
}

}  // namespace
}  // namespace dpflow::test
