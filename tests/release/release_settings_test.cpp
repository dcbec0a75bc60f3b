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
    s.mechanism = "cadp";
    s.epsilon = 1e4;
    s.l1_radius = 12.5;
    s.keep = {"pathology"};
    s.protect = {"sex:1"};
    s.safeguard_reference = "ref.csv";
    s.safeguard_tau = 0.3;
    s.formats = {"dcm", "png"};
    s.purpose = "teaching";
    s.budget_limit = 2e4;
    s.shard = {1, 3};
    return s;
}

TEST(ReleaseSettings, JsonRoundTripKeepsEverySetting) {
    const ReleaseSettings s = releaseSettingsFromJson(releaseSettingsToJson(example()));
    EXPECT_EQ(s.inputs, example().inputs);
    EXPECT_EQ(s.mechanism, "cadp");
    EXPECT_DOUBLE_EQ(s.epsilon, 1e4);
    ASSERT_TRUE(s.l1_radius);
    EXPECT_DOUBLE_EQ(*s.l1_radius, 12.5);
    EXPECT_EQ(s.protect, std::vector<std::string>{"sex:1"});
    EXPECT_EQ(s.safeguard_reference, "ref.csv");
    EXPECT_DOUBLE_EQ(s.safeguard_tau, 0.3);
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
    b.epsilon = 2e4;
    EXPECT_NE(releaseSettingsFingerprint(a, "m1"), releaseSettingsFingerprint(b, "m1"));
    EXPECT_NE(releaseSettingsFingerprint(a, "m1"), releaseSettingsFingerprint(a, "m2"));
}

}  // namespace
}  // namespace dpflow
