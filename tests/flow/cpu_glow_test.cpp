// The CPU GLOW is the GLOW, only faster: on randomised models of every shape the product uses
// (conditional and not, bounded coupling scales or not, down to 1x1 top levels, in tiles down to
// one row), its decoded image and its encoded latent agree with GlowImpl's (LibTorch) as closely
// as LibTorch's float32 agrees with float64, at one thread and at two.

#include "flow/cpu_glow.h"
#include "flow_test_support.h"

#include <cmath>

namespace dpflow::test {
namespace {

class CpuGlowTest : public FlowTest {};

FlowConfig twoAttributeConfig(int image_size, int levels, double min_scale) {
    FlowConfig config = tinyConfig(image_size, levels);
    config.attributes = {{"label", {"a", "b"}}, {"sex", {"F", "M", "O"}}};
    config.coupling_min_scale = min_scale;
    return config;
}

std::vector<float> oneHot(const FlowConfig& config, const std::string& label, const std::string& sex) {
    return config.oneHot({{"label", label}, {"sex", sex}});
}

/// The same model in float64: the decode every float32 decode is measured against.
Glow doublePrecisionCopy(Glow& glow) {
    Glow copy(glow->config());
    torch::NoGradGuard no_grad;
    auto parameters = copy->named_parameters();
    for (const auto& item : glow->named_parameters()) parameters[item.key()].copy_(item.value());
    auto buffers = copy->named_buffers();
    for (const auto& item : glow->named_buffers()) buffers[item.key()].copy_(item.value());
    copy->eval();
    copy->to(torch::kFloat64);
    return copy;
}

/// How far each float32 decode of latent `u` under `cond` lies from the float64 decode.
struct DecodeErrors {
    double cpu_decoder = 0.0;
    double libtorch = 0.0;
    double largest_value = 0.0;  // of the float64 image: random models reach 1e5 far from the data
};

DecodeErrors decodeErrors(Glow& glow, CpuGlow& decoder, const torch::Tensor& u, const std::vector<float>& cond, int threads) {
    const auto& config = glow->config();
    const auto c = torch::tensor(cond).view({1, -1});
    const auto exact = doublePrecisionCopy(glow)->decode(u.view({1, -1}).to(torch::kFloat64), c.to(torch::kFloat64));
    const auto libtorch = glow->decode(u.view({1, -1}), c).to(torch::kFloat64);
    std::vector<float> image(static_cast<size_t>(config.latentDim()));
    decoder.decode(u.data_ptr<float>(), cond, image.data(), threads);
    const auto fast = torch::from_blob(image.data(), exact.sizes()).to(torch::kFloat64);
    EXPECT_TRUE(torch::isfinite(fast).all().item<bool>());
    return {(fast - exact).abs().max().item<double>(), (libtorch - exact).abs().max().item<double>(),
            exact.abs().max().item<double>()};
}

/// The latent of a random image under `cond`, moved by noise of sd 0.1: what the preview decodes
/// at a moderate eps. (Standard-normal latents drive a random model with unbounded coupling
/// scales to values of 1e5, where rounding is amplified chaotically and no decode is exact.)
torch::Tensor latentNearData(Glow& glow, const std::vector<float>& cond) {
    const int size = glow->config().image_size;
    torch::NoGradGuard no_grad;
    const auto u = glow->encode(torch::rand({1, 1, size, size}) - 0.5, torch::tensor(cond).view({1, -1})).u;
    return (u + 0.1 * torch::randn_like(u)).view({-1}).contiguous();
}

/// The CPU decoder is as exact as LibTorch's float32 decode: within 1e-5 of the float64 decode
/// (relative to the image's largest value where that exceeds 1), or, where the model amplifies
/// rounding, within a few times LibTorch's own distance.
void expectAsExactAsLibTorch(const DecodeErrors& errors, const std::string& what) {
    EXPECT_LE(errors.cpu_decoder, 1e-5 * std::max(1.0, errors.largest_value) + 4.0 * errors.libtorch)
        << what << ": LibTorch float32 is " << errors.libtorch << " away; largest value " << errors.largest_value;
}

TEST_F(CpuGlowTest, AgreesWithTheLibTorchDecodeUnderEveryAttributeCombination) {
    for (const double min_scale : {0.0, 0.5}) {
        Glow glow(twoAttributeConfig(16, 3, min_scale));
        randomizeGlow(glow, 0.1);
        CpuGlow decoder(*glow);
        for (const char* label : {"a", "b"}) {
            for (const char* sex : {"F", "M", "O"}) {
                const auto cond = oneHot(glow->config(), label, sex);
                expectAsExactAsLibTorch(decodeErrors(glow, decoder, latentNearData(glow, cond), cond, 1),
                                        "min scale " + std::to_string(min_scale) + ", " + label + ", " + sex);
            }
        }
    }
}

TEST_F(CpuGlowTest, AgreesDownToAOnePixelTopLevel) {
    Glow glow(twoAttributeConfig(8, 3, 0.5));  // levels of 4x4, 2x2 and 1x1
    randomizeGlow(glow, 0.1);
    CpuGlow decoder(*glow);
    const auto cond = oneHot(glow->config(), "b", "O");
    expectAsExactAsLibTorch(decodeErrors(glow, decoder, latentNearData(glow, cond), cond, 1), "1x1 top level");
}

TEST_F(CpuGlowTest, AgreesForAnUnconditionalModel) {
    FlowConfig config = tinyConfig(16, 2);
    config.attributes = {};
    Glow glow(config);
    randomizeGlow(glow, 0.1);
    CpuGlow decoder(*glow);
    expectAsExactAsLibTorch(decodeErrors(glow, decoder, latentNearData(glow, {}), {}, 1), "unconditional");
}

TEST_F(CpuGlowTest, GivesTheSameImageOnTwoThreads) {
    FlowConfig config = twoAttributeConfig(32, 3, 0.5);
    config.hidden_channels = 32;  // enough work per pass for the passes to run on two threads
    Glow glow(config);
    randomizeGlow(glow, 0.1);
    CpuGlow decoder(*glow);
    const auto cond = oneHot(config, "a", "M");
    const auto u = latentNearData(glow, cond);
    expectAsExactAsLibTorch(decodeErrors(glow, decoder, u, cond, 2), "two threads");
    expectAsExactAsLibTorch(decodeErrors(glow, decoder, u, cond, 1), "one thread");
}

TEST_F(CpuGlowTest, AgreesWhenEveryStepRunsInTilesDownToOneRow) {
    FlowConfig config = twoAttributeConfig(16, 2, 0.5);  // levels of 8x8 and 4x4
    Glow glow(config);
    randomizeGlow(glow, 0.1);
    for (const int tiles : {2, 3, 8}) {  // 8: one row per tile at 8x8, capped at 4 tiles at 4x4
        CpuGlow decoder(*glow, tiles);
        const auto cond = oneHot(config, "b", "M");
        const auto u = latentNearData(glow, cond);
        for (const int threads : {1, 2}) {
            expectAsExactAsLibTorch(decodeErrors(glow, decoder, u, cond, threads),
                                    std::to_string(tiles) + " tiles, " + std::to_string(threads) + " thread(s)");
        }
    }
}

/// How far each float32 encode of model-space image `x` lies from the float64 encode.
DecodeErrors encodeErrors(Glow& glow, CpuGlow& cpu, const torch::Tensor& x, const std::vector<float>& cond, int threads) {
    const auto c = torch::tensor(cond).view({1, -1});
    const auto image = x.view({1, 1, glow->config().image_size, glow->config().image_size});
    const auto exact = doublePrecisionCopy(glow)->encode(image.to(torch::kFloat64), c.to(torch::kFloat64)).u;
    const auto libtorch = glow->encode(image, c).u.to(torch::kFloat64);
    std::vector<float> u(static_cast<size_t>(glow->layout().total));
    cpu.encode(x.contiguous().data_ptr<float>(), cond, u.data(), threads);
    const auto fast = torch::from_blob(u.data(), exact.sizes()).to(torch::kFloat64);
    EXPECT_TRUE(torch::isfinite(fast).all().item<bool>());
    return {(fast - exact).abs().max().item<double>(), (libtorch - exact).abs().max().item<double>(),
            exact.abs().max().item<double>()};
}

TEST_F(CpuGlowTest, EncodesAsLibTorchDoesUnderEveryAttributeCombinationAndTiling) {
    for (const double min_scale : {0.0, 0.5}) {
        Glow glow(twoAttributeConfig(16, 3, min_scale));
        randomizeGlow(glow, 0.1);
        for (const int tiles : {0, 3}) {
            CpuGlow cpu(*glow, tiles);
            for (const char* label : {"a", "b"}) {
                for (const char* sex : {"F", "O"}) {
                    const auto x = torch::rand({16 * 16}) - 0.5;
                    for (const int threads : {1, 2}) {
                        expectAsExactAsLibTorch(encodeErrors(glow, cpu, x, oneHot(glow->config(), label, sex), threads),
                                                "encode, min scale " + std::to_string(min_scale) + ", " + std::to_string(tiles) +
                                                    " tiles, " + std::to_string(threads) + " thread(s), " + label + ", " + sex);
                    }
                }
            }
        }
    }
}

TEST_F(CpuGlowTest, AgreesWithTheLibTorchDecodeAndEncodeThroughThePixelLogitLayer) {
    FlowConfig config = twoAttributeConfig(16, 3, 0.5);
    config.pixel_logit_alpha = 0.01;
    Glow glow(config);
    randomizeGlow(glow, 0.1);
    CpuGlow cpu(*glow);
    const auto cond = oneHot(config, "b", "F");
    expectAsExactAsLibTorch(decodeErrors(glow, cpu, latentNearData(glow, cond), cond, 1), "pixel logit, decode");
    expectAsExactAsLibTorch(encodeErrors(glow, cpu, torch::rand({16 * 16}) - 0.5, cond, 2), "pixel logit, encode");
}

TEST_F(CpuGlowTest, DecodingTheEncodedLatentGivesTheImageBack) {
    FlowConfig config = twoAttributeConfig(32, 3, 0.5);
    Glow glow(config);
    randomizeGlow(glow, 0.05);
    CpuGlow cpu(*glow);
    const auto cond = oneHot(config, "b", "F");
    const auto x = torch::rand({32 * 32}) - 0.5;
    std::vector<float> u(static_cast<size_t>(glow->layout().total)), back(static_cast<size_t>(32 * 32));
    for (const int threads : {1, 2}) {
        cpu.encode(x.data_ptr<float>(), cond, u.data(), threads);
        cpu.decode(u.data(), cond, back.data(), threads);
        const auto error = (torch::from_blob(back.data(), {32 * 32}) - x).abs().max().item<double>();
        EXPECT_LT(error, 1e-5) << threads << " thread(s)";
    }
}

TEST_F(CpuGlowTest, StaysFiniteFarFromTheData) {
    Glow glow(twoAttributeConfig(16, 3, 0.0));
    randomizeGlow(glow, 0.3);
    CpuGlow decoder(*glow);
    const auto u = torch::randn({glow->layout().total}) * 1e4;
    std::vector<float> image(static_cast<size_t>(glow->config().latentDim()));
    decoder.decode(u.data_ptr<float>(), oneHot(glow->config(), "a", "F"), image.data(), 1);
    for (float v : image) ASSERT_TRUE(std::isfinite(v));
}

TEST_F(CpuGlowTest, RefusesAConditionOfTheWrongLength) {
    Glow glow(twoAttributeConfig(8, 2, 0.5));
    CpuGlow decoder(*glow);
    std::vector<float> u(static_cast<size_t>(glow->layout().total)), image(u.size());
    EXPECT_THROW(decoder.decode(u.data(), {1.0f, 0.0f}, image.data(), 1), std::invalid_argument);
    EXPECT_THROW(decoder.encode(image.data(), {1.0f, 0.0f}, u.data(), 1), std::invalid_argument);
}

}  // namespace
}  // namespace dpflow::test
