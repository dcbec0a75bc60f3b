#include "privacy/privatizer.h"

#include "flow/runtime.h"
#include "flow/safetensors.h"
#include "image/sha256.h"
#include "privacy/latent_mechanisms.h"
#include "privatizer_test_support.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <numeric>

namespace dpflow {
namespace {

class PrivatizerTest : public ::testing::Test {
protected:
    void SetUp() override {
        configureThreads(1);
        model_.emplace(FlowModel::load(test::tinyFlowFiles().model, "cpu"));
        reference_ = {&*model_, "tiny.safetensors", sha256OfFile(test::tinyFlowFiles().model)};
    }
    PrivatizerSettings latentSettings(PrivacyMechanism mechanism, double epsilon) const {
        PrivatizerSettings s;
        s.mechanism.mechanism = mechanism;
        s.mechanism.epsilon = epsilon;
        s.attributes = {{"label", false, 0.0}, {"sex", true, 1.0}};
        return s;
    }
    Image input() const { return test::studyImage(3, 1); }
    AttributeValues truth() const { return {{"label", "1"}, {"sex", "F"}}; }

    std::optional<FlowModel> model_;
    ModelReference reference_;
    SeededTestRandomSource source_{42};
};

TEST_F(PrivatizerTest, DpGlowAccountingUsesTheCalibrationBoxAndAddsProtectedAttributes) {
    const Privatizer privatizer(latentSettings(PrivacyMechanism::DpGlow, 1000.0), reference_, source_);
    const ReleaseAccounting a = privatizer.accounting(8, 8);
    const double delta = LatentBox{model_->calibrationLo(), model_->calibrationHi()}.l1Sensitivity();
    ASSERT_TRUE(a.plan);
    EXPECT_EQ(a.plan->dimension, 64u);
    EXPECT_EQ(a.plan->l1_sensitivity, delta);
    EXPECT_EQ(a.plan->granularity, powerOfTwoAtLeast(delta / 1000.0 / std::ldexp(1.0, 40)));
    EXPECT_EQ(a.plan->accounted_sensitivity, planLaplaceNoise(delta, 64, 1000.0).accounted_sensitivity);
    EXPECT_NEAR(a.plan->scale, (delta + 64 * a.plan->granularity) / 1000.0, 1e-12 * delta);
    EXPECT_DOUBLE_EQ(a.epsilon_total, 1001.0);
    EXPECT_EQ(a.partsText(), "eps_latent 1000 + eps_sex 1 = 1001");
    ASSERT_EQ(a.attributes.size(), 2u);
    EXPECT_DOUBLE_EQ(a.attributes[0].keep_probability, 1.0);
    EXPECT_NEAR(a.attributes[1].keep_probability, std::exp(1.0) / (std::exp(1.0) + 1.0), 1e-15);
}

TEST_F(PrivatizerTest, CadpDefaultRadiusIsTheExpectedL1NormOfAStandardNormalLatent) {
    const Privatizer privatizer(latentSettings(PrivacyMechanism::Cadp, 10.0), reference_, source_);
    const ReleaseAccounting a = privatizer.accounting(8, 8);
    ASSERT_TRUE(a.l1_radius);
    EXPECT_DOUBLE_EQ(*a.l1_radius, std::sqrt(2.0 / M_PI) * 64.0);
    EXPECT_DOUBLE_EQ(a.plan->l1_sensitivity, 2.0 * *a.l1_radius);
    EXPECT_NE(a.l1_radius_origin.find("not on any image"), std::string::npos);
}

TEST_F(PrivatizerTest, DpGlowRefusesAModelWithoutCalibration) {
    const FlowModel uncalibrated = FlowModel::load(test::tinyFlowFiles().uncalibrated, "cpu");
    try {
        Privatizer(latentSettings(PrivacyMechanism::DpGlow, 1.0), {&uncalibrated, "uncalibrated", "x"}, source_);
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("no latent calibration"), std::string::npos) << e.what();
    }
    EXPECT_NO_THROW(Privatizer(latentSettings(PrivacyMechanism::Cadp, 1.0), {&uncalibrated, "uncalibrated", "x"}, source_));
}

TEST_F(PrivatizerTest, RefusesAnAttributeThatIsNeitherKeptNorProtected) {
    auto settings = latentSettings(PrivacyMechanism::Cadp, 1.0);
    settings.attributes.pop_back();
    EXPECT_THROW(Privatizer(settings, reference_, source_), std::invalid_argument);
}

TEST_F(PrivatizerTest, CadpScalesTheEncodedLatentIntoTheBallBeforeNoise) {
    auto settings = latentSettings(PrivacyMechanism::Cadp, 1e9);
    settings.mechanism.l1_radius = 1.0;
    Privatizer privatizer(settings, reference_, source_);
    const PreparedInput prepared = privatizer.prepare(input(), truth());
    const double norm = std::accumulate(prepared.latent.begin(), prepared.latent.end(), 0.0,
                                        [](double s, float u) { return s + std::abs(u); });
    ASSERT_GT(norm, 1.0);
    const PrivatizedImage out = privatizer.privatize(prepared);
    EXPECT_DOUBLE_EQ(out.record.input_scale_factor, 1.0 / norm);
    EXPECT_DOUBLE_EQ(out.record.input_clipped_fraction, 1.0);
    ASSERT_TRUE(out.image);
    EXPECT_EQ(out.image->width, 8);
}

TEST_F(PrivatizerTest, ADecodeThatIsNotFiniteIsWithheldAndStillAccounted) {
    // The tiny model with its output-side ActNorm shift poisoned: every decode is NaN.
    SafetensorsFile file = readSafetensors(test::tinyFlowFiles().model);
    SafetensorsTensor& shift = file.tensors.at("levels.0.steps.0.actnorm.loc");
    const float nan = std::nanf("");
    for (std::size_t i = 0; i + sizeof nan <= shift.data.size(); i += sizeof nan) std::memcpy(&shift.data[i], &nan, sizeof nan);
    const auto poisoned_path = test::tinyFlowFiles().dir / "poisoned.safetensors";
    writeSafetensors(poisoned_path, file);
    const FlowModel poisoned = FlowModel::load(poisoned_path, "cpu");
    // Encoded by the sound model (the poisoned one would not encode either), decoded by the poisoned one.
    const PreparedInput prepared = Privatizer(latentSettings(PrivacyMechanism::Cadp, 50.0), reference_, source_).prepare(input(), truth());
    Privatizer privatizer(latentSettings(PrivacyMechanism::Cadp, 50.0), {&poisoned, "poisoned", "x"}, source_);
    const PrivatizedImage out = privatizer.privatize(prepared);
    EXPECT_FALSE(out.image.has_value());
    EXPECT_TRUE(out.record.withheld);
    EXPECT_EQ(out.record.withheld_reason, kWithheldNonFiniteDecode);
    EXPECT_DOUBLE_EQ(out.record.accounting.epsilon_total, 51.0);  // the draw was made: eps_latent + eps_sex
}

TEST_F(PrivatizerTest, DpGlowReportsTheShareOfLatentElementsOutsideTheBox) {
    Privatizer privatizer(latentSettings(PrivacyMechanism::DpGlow, 1e12), reference_, source_);
    const PreparedInput prepared = privatizer.prepare(test::studyImage(100, 0), {{"label", "1"}, {"sex", "M"}});
    std::size_t outside = 0;
    for (std::size_t j = 0; j < prepared.latent.size(); ++j)
        outside += prepared.latent[j] < model_->calibrationLo()[j] || prepared.latent[j] > model_->calibrationHi()[j];
    const PrivatizedImage out = privatizer.privatize(prepared);
    EXPECT_DOUBLE_EQ(out.record.input_clipped_fraction, static_cast<double>(outside) / 64.0);
    // At eps = 1e12 the noise is negligible: the output decodes the clipped latent.
    std::vector<float> clipped(prepared.latent);
    for (std::size_t j = 0; j < clipped.size(); ++j)
        clipped[j] = std::clamp(clipped[j], model_->calibrationLo()[j], model_->calibrationHi()[j]);
    const auto expected = model_->decode(clipped, releasedValues(out.record.attributes));
    for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(out.image->pixels[i], expected[i], 1e-3) << i;
}

TEST_F(PrivatizerTest, KeptAttributeIsReleasedUnchanged) {
    Privatizer privatizer(latentSettings(PrivacyMechanism::Cadp, 1.0), reference_, source_);
    const PreparedInput prepared = privatizer.prepare(input(), truth());
    for (int i = 0; i < 20; ++i) {
        const PrivatizedImage out = privatizer.privatize(prepared);
        ASSERT_EQ(out.record.attributes[0].name, "label");
        EXPECT_EQ(out.record.attributes[0].released_value, "1");
        EXPECT_EQ(out.record.attributes[0].method, "disclosed");
    }
}

TEST_F(PrivatizerTest, ProtectedAttributeFollowsTheRandomizedResponseRate) {
    const AttributePolicy policy = {{"label", false, 0.0}, {"sex", true, 1.0}};
    const auto& attributes = model_->card().config.attributes;
    const int n = 20000;
    int kept = 0;
    for (int i = 0; i < n; ++i) kept += releaseAttributes(policy, attributes, truth(), source_)[1].released_value == "F";
    const double p = std::exp(1.0) / (std::exp(1.0) + 1.0);
    EXPECT_NEAR(static_cast<double>(kept) / n, p, 5.0 * std::sqrt(p * (1 - p) / n));
}

TEST_F(PrivatizerTest, ProtectedAttributeWithZeroEpsilonIsDrawnFromTheUniformPrior) {
    const AttributePolicy policy = {{"label", true, 0.0}, {"sex", false, 0.0}};
    const auto& attributes = model_->card().config.attributes;
    const int n = 20000;
    int ones = 0;
    for (int i = 0; i < n; ++i) {
        const auto released = releaseAttributes(policy, attributes, truth(), source_);
        ones += released[0].released_value == "1";
        EXPECT_EQ(released[0].prior, "uniform prior (the model card has no training frequencies)");
    }
    EXPECT_NEAR(static_cast<double>(ones) / n, 0.5, 5.0 * std::sqrt(0.25 / n));
}

TEST_F(PrivatizerTest, SafeguardWithholdsAnImageTooCloseToTheReferenceSet) {
    auto settings = latentSettings(PrivacyMechanism::Cadp, 1.0);
    settings.safeguard = SafeguardSettings{"ref.csv", 100.0, SafeguardPolicy::Withhold, 1, true};
    const ReferenceSet reference({safeguardFeature(input(), 8)}, {"abc"}, 8);
    Privatizer privatizer(settings, reference_, source_, {&reference, true});
    const PrivatizedImage out = privatizer.privatize(privatizer.prepare(input(), truth()));
    EXPECT_FALSE(out.image);
    EXPECT_TRUE(out.record.withheld);
    EXPECT_EQ(out.record.safeguard.distances.size(), 1u);
    EXPECT_DOUBLE_EQ(out.record.accounting.epsilon_total, 2.0);
    EXPECT_FALSE(out.record.safeguard.reference_public);  // it holds the released input
}

TEST_F(PrivatizerTest, ResampleTriesUpToNTimesAndIsAccountedNTimesEps) {
    auto settings = latentSettings(PrivacyMechanism::Cadp, 1.0);
    settings.safeguard = SafeguardSettings{"ref.csv", 100.0, SafeguardPolicy::Resample, 3, true};
    const ReferenceSet reference({safeguardFeature(input(), 8)}, {"abc"}, 8);
    Privatizer privatizer(settings, reference_, source_, {&reference, false});
    const PrivatizedImage out = privatizer.privatize(privatizer.prepare(input(), truth()));
    EXPECT_TRUE(out.record.withheld);
    EXPECT_EQ(out.record.safeguard.distances.size(), 3u);
    EXPECT_DOUBLE_EQ(out.record.accounting.epsilon_total, 6.0);
    EXPECT_EQ(out.record.accounting.partsText(), "3 x (eps_latent 1 + eps_sex 1) = 6");
}

TEST_F(PrivatizerTest, PublicReferenceAndAPassingImageKeepTheGuaranteeAndTheBudget) {
    auto settings = latentSettings(PrivacyMechanism::Cadp, 1.0);
    settings.safeguard = SafeguardSettings{"ref.csv", 0.0, SafeguardPolicy::Withhold, 1, true};
    const ReferenceSet reference({safeguardFeature(input(), 8)}, {"abc"}, 8);
    SystemRandomSource secure;
    Privatizer privatizer(settings, reference_, secure, {&reference, false});
    const PrivatizedImage out = privatizer.privatize(privatizer.prepare(input(), truth()));
    ASSERT_TRUE(out.image);
    EXPECT_TRUE(out.record.safeguard.passed);
    EXPECT_TRUE(out.record.guarantee_holds);
    EXPECT_DOUBLE_EQ(out.record.accounting.epsilon_total, 2.0);
}

TEST_F(PrivatizerTest, PrivateReferenceSetSaysTheGuaranteeNoLongerHolds) {
    auto settings = latentSettings(PrivacyMechanism::Cadp, 1.0);
    settings.safeguard = SafeguardSettings{"ref.csv", 0.0, SafeguardPolicy::Withhold, 1, false};
    const ReferenceSet reference({safeguardFeature(input(), 8)}, {"abc"}, 8);
    SystemRandomSource secure;
    Privatizer privatizer(settings, reference_, secure, {&reference, false});
    const PrivatizedImage out = privatizer.privatize(privatizer.prepare(input(), truth()));
    EXPECT_FALSE(out.record.guarantee_holds);
    EXPECT_NE(out.record.guarantee.find("formal differential-privacy guarantee no longer holds"), std::string::npos);
    EXPECT_EQ(releaseRecordToJson(out.record)["guarantee"]["holds"], false);
}

TEST_F(PrivatizerTest, SeededRandomnessStampsTheRecordNotPrivate) {
    Privatizer privatizer(latentSettings(PrivacyMechanism::Cadp, 1.0), reference_, source_);
    const PrivatizedImage out = privatizer.privatize(privatizer.prepare(input(), truth()));
    const auto json = releaseRecordToJson(out.record);
    EXPECT_EQ(json["stamp"], "NOT PRIVATE");
    EXPECT_EQ(json["randomness"]["source"], "seeded-test (NOT PRIVATE)");
    EXPECT_FALSE(out.record.guarantee_holds);
}

TEST_F(PrivatizerTest, SecureRandomnessLeavesNoStamp) {
    SystemRandomSource secure;
    Privatizer privatizer(latentSettings(PrivacyMechanism::Cadp, 1.0), reference_, secure);
    const PrivatizedImage out = privatizer.privatize(privatizer.prepare(input(), truth()));
    const auto json = releaseRecordToJson(out.record);
    EXPECT_FALSE(json.contains("stamp"));
    EXPECT_TRUE(out.record.guarantee_holds);
    EXPECT_EQ(json["epsilon"]["total"], 2.0);
    EXPECT_EQ(json["attributes"]["disclosed"], nlohmann::json::array({"label"}));
    EXPECT_EQ(json["attributes"]["protected"], nlohmann::json::array({"sex"}));
}

TEST_F(PrivatizerTest, PixelMechanismWithoutModelWorksAtTheImageSize) {
    PrivatizerSettings settings;
    settings.mechanism.mechanism = PrivacyMechanism::Pixel;
    settings.mechanism.epsilon = 5.0;
    Privatizer privatizer(settings, {}, source_);
    const PrivatizedImage out = privatizer.privatize(privatizer.prepare(input(), {}));
    ASSERT_TRUE(out.image);
    EXPECT_EQ(out.image->width, 6);
    EXPECT_EQ(out.record.accounting.plan->dimension, 36u);
    EXPECT_DOUBLE_EQ(out.record.accounting.plan->l1_sensitivity, 36.0);
    EXPECT_EQ(out.record.accounting.mechanismEpsilonName(), "eps_pixel");
}

TEST_F(PrivatizerTest, PixelMechanismWithModelWorksAtTheModelSize) {
    PrivatizerSettings settings;
    settings.mechanism.mechanism = PrivacyMechanism::DpPix;
    settings.mechanism.epsilon = 5.0;
    settings.mechanism.dppix_cell = 4;
    settings.mechanism.dppix_neighbourhood = 2;
    Privatizer privatizer(settings, reference_, source_);
    const PrivatizedImage out = privatizer.privatize(privatizer.prepare(input(), {}));
    EXPECT_EQ(out.image->width, 8);
    EXPECT_EQ(out.record.accounting.plan->dimension, 4u);  // 2 x 2 cells of 4 x 4
    EXPECT_DOUBLE_EQ(out.record.accounting.plan->l1_sensitivity, 2.0 / 16.0);
}


// Half of the tiny flow's 64 latent coordinates drawn from the prior, the other half budgeted.
std::shared_ptr<const LatentAllocation> halfPriorAllocation(const std::string& model_sha256) {
    auto allocation = std::make_shared<LatentAllocation>();
    allocation->scheme = "coarse";
    allocation->model_sha256 = model_sha256;
    allocation->public_data = "the tiny study's train split";
    allocation->public_image_sha256 = {"public-image-hash"};
    allocation->file_name = "tiny.allocation.json";
    allocation->file_sha256 = "file-hash";
    allocation->groups = {{"fine", 0, 32, 0.0, 0.0, 0.0}, {"coarse", 32, 64, 1.0, 0.0, 0.0}};
    return allocation;
}

TEST_F(PrivatizerTest, AllocatedReleaseStatesTheAllocationAndThatEpsilonIsTheSumOfItsGroups) {
    reference_.allocation = halfPriorAllocation(reference_.sha256);
    SystemRandomSource secure;
    Privatizer privatizer(latentSettings(PrivacyMechanism::Allocated, 500.0), reference_, secure);
    const PrivatizedImage out = privatizer.privatize(privatizer.prepare(input(), truth()));
    ASSERT_TRUE(out.image);
    const ReleaseAccounting& a = out.record.accounting;
    ASSERT_EQ(a.groups.size(), 2u);
    EXPECT_FALSE(a.groups[0].plan);
    ASSERT_TRUE(a.groups[1].plan);
    EXPECT_EQ(a.groups[1].plan->epsilon, 500.0);
    EXPECT_EQ(a.plan->dimension, 32u);
    EXPECT_DOUBLE_EQ(a.epsilon_total, 501.0);
    EXPECT_EQ(a.allocation_sha256, "file-hash");
    EXPECT_TRUE(out.record.guarantee_holds);
    EXPECT_NE(out.record.guarantee.find("sum of the eps_g of the allocation tiny.allocation.json (SHA-256 file-hash)"),
              std::string::npos) << out.record.guarantee;
    EXPECT_EQ(releaseRecordToJson(out.record)["allocation"]["groups"][0]["drawn_from_prior"], true);
}

TEST_F(PrivatizerTest, AllocatedRefusesTheImagesItsAllocationWasComputedFrom) {
    reference_.allocation = halfPriorAllocation(reference_.sha256);
    const Privatizer privatizer(latentSettings(PrivacyMechanism::Allocated, 500.0), reference_, source_);
    EXPECT_THROW(privatizer.refuseImageOfItsPublicData("public-image-hash", "img.png"), std::invalid_argument);
    EXPECT_NO_THROW(privatizer.refuseImageOfItsPublicData("another-hash", "img.png"));
}

TEST_F(PrivatizerTest, AllocatedNeedsAnAllocationOfThisModel) {
    EXPECT_THROW(Privatizer(latentSettings(PrivacyMechanism::Allocated, 5.0), reference_, source_), std::invalid_argument);
    reference_.allocation = halfPriorAllocation("some other model");
    EXPECT_THROW(Privatizer(latentSettings(PrivacyMechanism::Allocated, 5.0), reference_, source_), std::invalid_argument);
}

}  // namespace
}  // namespace dpflow
