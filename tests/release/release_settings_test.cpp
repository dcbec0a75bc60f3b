#include "release/release_settings.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <stdexcept>

namespace dpflow {
namespace {

ReleaseSettings example() {
    ReleaseSettings s;
    s.inputs = {"study/manifest.csv"};
    s.model = "models/m.safetensors";
    s.decision.mechanism.mechanism = PrivacyMechanism::Cadp;
    s.decision.mechanism.epsilon = 1e4;
    s.decision.mechanism.l1_radius = 12.5;
    s.decision.mechanism.decoding = LatentDecoding::Direct;
    s.decision.attributes = makeAttributePolicy({"pathology"}, {"sex:1.5"});
    s.decision.safeguard = SafeguardSettings{"ref.csv", 0.3, SafeguardPolicy::Resample, 3, true};
    s.formats = {"dcm", "png"};
    s.purpose = "teaching";
    s.budget_limit = 2e4;
    s.shard = {1, 3};
    return s;
}

TEST(ReleaseSettings, JsonRoundTripKeepsEverySetting) {
    const ReleaseSettings s = releaseSettingsFromJson(releaseSettingsToJson(example()));
    EXPECT_EQ(s.inputs, example().inputs);
    const MechanismSettings& m = s.decision.mechanism;
    EXPECT_EQ(m.mechanism, PrivacyMechanism::Cadp);
    EXPECT_DOUBLE_EQ(m.epsilon, 1e4);
    ASSERT_TRUE(m.l1_radius);
    EXPECT_DOUBLE_EQ(*m.l1_radius, 12.5);
    EXPECT_EQ(m.decoding, LatentDecoding::Direct);
    ASSERT_EQ(s.decision.attributes.size(), 2u);
    for (const auto& treatment : s.decision.attributes) {
        EXPECT_EQ(treatment.protect, treatment.name == "sex") << treatment.name;
        if (treatment.protect) {
            EXPECT_DOUBLE_EQ(treatment.epsilon, 1.5);
        }
    }
    ASSERT_TRUE(s.decision.safeguard);
    EXPECT_EQ(s.decision.safeguard->reference_manifest, "ref.csv");
    EXPECT_DOUBLE_EQ(s.decision.safeguard->tau, 0.3);
    EXPECT_EQ(s.decision.safeguard->policy, SafeguardPolicy::Resample);
    EXPECT_EQ(s.decision.safeguard->tries, 3);
    EXPECT_TRUE(s.decision.safeguard->reference_public);
    EXPECT_EQ(s.formats, (std::vector<std::string>{"dcm", "png"}));
    ASSERT_TRUE(s.budget_limit);
    EXPECT_DOUBLE_EQ(*s.budget_limit, 2e4);
    EXPECT_EQ(s.shard.text(), "1/3");
}

TEST(ReleaseSettings, UnknownFieldIsRejectedNotIgnored) {
    nlohmann::json j = releaseSettingsToJson(example());
    j["epsilion"] = 5;
    EXPECT_THROW(releaseSettingsFromJson(j), std::invalid_argument);
}

TEST(ReleaseSettings, WrongTypeNamesTheField) {
    nlohmann::json j = releaseSettingsToJson(example());
    j["epsilon"] = "large";
    try {
        releaseSettingsFromJson(j);
        FAIL() << "accepted a string epsilon";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("epsilon"), std::string::npos);
    }
}

TEST(ReleaseSettings, ASafeguardWithoutTauIsRefused) {
    nlohmann::json j = releaseSettingsToJson(example());
    j["safeguard"].erase("tau");
    EXPECT_THROW(releaseSettingsFromJson(j), std::invalid_argument);
}

TEST(ReleaseSettings, ASafeguardWithoutItsReferenceSetIsRefused) {
    nlohmann::json j = releaseSettingsToJson(example());
    j["safeguard"].erase("reference");
    EXPECT_THROW(releaseSettingsFromJson(j), std::invalid_argument);
}

TEST(ReleaseSettings, AnUnknownDecodingIsRefused) {
    nlohmann::json j = releaseSettingsToJson(example());
    j["decode"] = "sharpen";
    EXPECT_THROW(releaseSettingsFromJson(j), std::invalid_argument);
}

TEST(ReleaseSettings, LatentMechanismWithoutModelIsRefused) {
    ReleaseSettings s = example();
    s.model.clear();
    EXPECT_THROW(validateReleaseSettings(s), std::invalid_argument);
}

TEST(ReleaseSettings, FingerprintIgnoresShardIndexButNotCountEpsilonOrModel) {
    ReleaseSettings a = example(), b = example();
    b.shard.index = 2;
    EXPECT_EQ(releaseSettingsFingerprint(a, "m1"), releaseSettingsFingerprint(b, "m1"));
    b.shard = {0, 4};
    EXPECT_NE(releaseSettingsFingerprint(a, "m1"), releaseSettingsFingerprint(b, "m1"));
    b = example();
    b.decision.mechanism.epsilon = 2e4;
    EXPECT_NE(releaseSettingsFingerprint(a, "m1"), releaseSettingsFingerprint(b, "m1"));
    b = example();
    b.decision.mechanism.decoding = LatentDecoding::Shrink;
    EXPECT_NE(releaseSettingsFingerprint(a, "m1"), releaseSettingsFingerprint(b, "m1"));
    EXPECT_NE(releaseSettingsFingerprint(a, "m1"), releaseSettingsFingerprint(a, "m2"));
}

}  // namespace
}  // namespace dpflow
