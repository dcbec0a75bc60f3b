#include "flow/glow.h"
#include "flow/pixel_logit.h"

#include "flow_test_support.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>

namespace dpflow {
namespace {

using test::conditionBatch;
using test::FlowTest;
using test::randomizeGlow;
using test::tinyConfig;

TEST_F(FlowTest, LatentLayoutCoversAllPixelsLevelByLevel) {
    auto config = tinyConfig(32, 3);
    const auto layout = latentLayout(config);
    ASSERT_EQ(layout.levels.size(), 3u);
    EXPECT_EQ(layout.total, 32 * 32);
    EXPECT_EQ(layout.levels[0].channels, 2);
    EXPECT_EQ(layout.levels[0].height, 16);
    EXPECT_EQ(layout.levels[1].offset, 512);
    EXPECT_EQ(layout.levels[2].channels, 16);
    EXPECT_EQ(layout.levels[2].height, 4);
    EXPECT_EQ(layout.levels[2].offset, 768);
}

TEST_F(FlowTest, ConfigRejectsSizeNotDivisibleByLevels) {
    auto config = tinyConfig(28, 3);
    EXPECT_THROW(config.validate(), std::invalid_argument);
}

TEST_F(FlowTest, CouplingScaleBoundTravelsWithTheArchitectureAndIsAbsentInOlderCards) {
    auto config = tinyConfig();
    config.coupling_min_scale = 0.5;
    const nlohmann::json j = config;
    EXPECT_EQ(j.get<FlowConfig>().coupling_min_scale, 0.5);
    auto older = j;
    older.erase("coupling_min_scale");
    EXPECT_EQ(older.get<FlowConfig>().coupling_min_scale, 0.0);  // trained unbounded
    config.coupling_min_scale = 1.5;
    EXPECT_THROW(config.validate(), std::invalid_argument);
    config.coupling_min_scale = -0.1;
    EXPECT_THROW(config.validate(), std::invalid_argument);
}

TEST_F(FlowTest, PixelLogitLayerTravelsWithTheArchitectureAndIsAbsentInOlderCards) {
    auto config = tinyConfig();
    const nlohmann::json plain = config;
    EXPECT_FALSE(plain.contains("pixel_logit_alpha"));  // the cards of models without the layer stay as they were
    EXPECT_EQ(plain.get<FlowConfig>().pixel_logit_alpha, 0.0);
    config.pixel_logit_alpha = 0.01;
    const nlohmann::json j = config;
    EXPECT_EQ(j.get<FlowConfig>().pixel_logit_alpha, 0.01);
    config.pixel_logit_alpha = 0.5;
    EXPECT_THROW(config.validate(), std::invalid_argument);
    config.pixel_logit_alpha = -0.01;
    EXPECT_THROW(config.validate(), std::invalid_argument);
}

TEST_F(FlowTest, OneHotRejectsUnknownValue) {
    const auto config = tinyConfig();
    EXPECT_EQ(config.oneHot({{"label", "b"}}), (std::vector<float>{0.0f, 1.0f}));
    EXPECT_THROW(config.oneHot({{"label", "c"}}), std::invalid_argument);
    EXPECT_THROW(config.oneHot({}), std::invalid_argument);
}

TEST_F(FlowTest, DecodeInvertsEncodeForWholeModel) {
    Glow glow(tinyConfig(16, 3));
    randomizeGlow(glow);
    const auto x = torch::rand({4, 1, 16, 16}) - 0.5;
    const auto cond = conditionBatch(glow->config(), 4, 1);
    const auto u = glow->encode(x, cond).u;
    EXPECT_EQ(u.sizes().vec(), (std::vector<int64_t>{4, 256}));
    const auto back = glow->decode(u, cond);
    EXPECT_LT((back - x).abs().max().item<double>(), 1e-4);
}

TEST_F(FlowTest, DecodeInvertsEncodeWithBoundedCouplingScalesWithAndWithoutThePixelLogitLayer) {
    for (const double alpha : {0.0, 0.01}) {
        auto config = tinyConfig(16, 3);
        config.coupling_min_scale = 0.5;
        config.pixel_logit_alpha = alpha;
        Glow glow(config);
        randomizeGlow(glow);
        const auto x = torch::rand({3, 1, 16, 16}) - 0.5;
        const auto cond = conditionBatch(glow->config(), 3, 1);
        EXPECT_LT((glow->decode(glow->encode(x, cond).u, cond) - x).abs().max().item<double>(), 1e-4) << "pixel logit alpha " << alpha;
    }
}

TEST_F(FlowTest, ThePixelLogitLayerMovesNearBlackPixelsByLessThanMidGreyOnesForTheSameShiftOfTheFlowsInput) {
    // What the layer is for: a shift dy of the flow's input moves x by about dy s (1 - s) / (1 - 2 alpha),
    // so a film's gray-level-1 border moves about 16 times less than a mid-grey pixel at alpha 0.01.
    const PixelLogit layer{0.01};
    const auto moved = [&](float x) { return std::abs(layer.fromFlow(layer.toFlow(x) + 0.05f) - x); };
    const float gray_level_1 = -0.5f + 1.5f / 256.0f;
    EXPECT_GT(moved(0.0f), 10.0f * moved(gray_level_1)) << moved(gray_level_1) << " against " << moved(0.0f);
    EXPECT_NEAR(layer.fromFlow(layer.toFlow(gray_level_1)), gray_level_1, 1e-6);
    EXPECT_EQ(PixelLogit{}.toFlow(0.3f), 0.3f);  // alpha 0: no layer
}

TEST_F(FlowTest, LogDetEqualsLogAbsDetOfFullJacobian) {
    for (const double alpha : {0.0, 0.05}) {
        auto config = tinyConfig(4, 2);
        config.pixel_logit_alpha = alpha;
        Glow glow(config);
        randomizeGlow(glow, 0.2);
        glow->to(torch::kFloat64);
        const auto cond = conditionBatch(glow->config(), 1, 1).to(torch::kFloat64);
        const auto x = (torch::rand({1, 1, 4, 4}, torch::kFloat64) - 0.5).requires_grad_(true);
        const auto encoding = glow->encode(x, cond);
        const auto u = encoding.u;
        // log p(x) = log N(u; 0, I) + log|det du/dx|. The log-det is compared on its own: a random
        // model can put u near 1e7, where log_prob minus the normal term keeps only a few bits.
        const auto log_normal = (-0.5 * std::log(2.0 * M_PI) - 0.5 * u * u).sum();
        EXPECT_NEAR(encoding.log_prob.item<double>(), (log_normal + encoding.log_det).item<double>(),
                    1e-12 * std::abs(log_normal.item<double>()) + 1e-12);
        const double flow_logdet = encoding.log_det.item<double>();
        auto jacobian = torch::zeros({16, 16}, torch::kFloat64);
        for (int64_t i = 0; i < 16; ++i) {
            const auto grad = torch::autograd::grad({u[0][i]}, {x}, {}, true)[0];
            jacobian[i] = grad.flatten();
        }
        const double expected = std::get<1>(torch::linalg_slogdet(jacobian)).item<double>();
        RecordProperty("logdet_flow_alpha_" + std::to_string(alpha), fmt::format("{:.15g}", flow_logdet));
        RecordProperty("logdet_jacobian_alpha_" + std::to_string(alpha), fmt::format("{:.15g}", expected));
        EXPECT_NEAR(flow_logdet, expected, 1e-8 * std::max(1.0, std::abs(expected))) << "pixel logit alpha " << alpha;
    }
}

TEST_F(FlowTest, DecodingWithOtherAttributesChangesImage) {
    Glow glow(tinyConfig(8, 2));
    randomizeGlow(glow);
    const auto u = torch::randn({2, 64});
    const auto a = glow->decode(u, conditionBatch(glow->config(), 2, 0));
    const auto b = glow->decode(u, conditionBatch(glow->config(), 2, 1));
    EXPECT_GT((a - b).abs().mean().item<double>(), 1e-3);
}

TEST_F(FlowTest, EncodingDependsOnAttributesAndInvertsWithSameOnes) {
    Glow glow(tinyConfig(8, 2));
    randomizeGlow(glow);
    const auto x = torch::rand({2, 1, 8, 8}) - 0.5;
    const auto c0 = conditionBatch(glow->config(), 2, 0);
    const auto c1 = conditionBatch(glow->config(), 2, 1);
    const auto u0 = glow->encode(x, c0).u;
    EXPECT_GT((u0 - glow->encode(x, c1).u).abs().max().item<double>(), 1e-3);
    EXPECT_LT((glow->decode(u0, c0) - x).abs().max().item<double>(), 1e-4);
}

TEST_F(FlowTest, BitsPerDimOfFreshModelIsFinitePositive) {
    Glow glow(tinyConfig(8, 2));
    glow->train();
    const auto bpd = glow->bitsPerDim(torch::rand({8, 1, 8, 8}) - 0.5, conditionBatch(glow->config(), 8, 0));
    EXPECT_TRUE(torch::isfinite(bpd).all().item<bool>());
    EXPECT_GT(bpd.mean().item<double>(), 0.0);
}

}  // namespace
}  // namespace dpflow
