#pragma once

// Shared fixtures for the flow tests: small architectures, fresh random seeds (printed so a
// failure can be reproduced), and parameter perturbation so that zero-initialised layers are
// not trivially the identity.

#include "flow/glow.h"
#include "flow/runtime.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <random>
#include <string>

namespace dpflow::test {

/// 8x8 images, 2 levels, 2 steps, 16 hidden channels, one attribute with values {a, b}.
inline FlowConfig tinyConfig(int image_size = 8, int levels = 2) {
    FlowConfig config;
    config.image_size = image_size;
    config.levels = levels;
    config.steps = 2;
    config.hidden_channels = 16;
    config.attributes = {{"label", {"a", "b"}}};
    return config;
}

/// One-hot conditioning for a batch where every sample has value index `value`.
inline torch::Tensor conditionBatch(const FlowConfig& config, int64_t batch, int value) {
    auto cond = torch::zeros({batch, config.conditionDim()});
    if (config.conditionDim() > 0) cond.select(1, value).fill_(1.0f);
    return cond;
}

/// Initialises ActNorm from a random batch, then adds noise of `scale` to every parameter.
inline void randomizeGlow(Glow& glow, double scale = 0.05) {
    const auto& config = glow->config();
    glow->train();
    glow->encode(torch::rand({8, 1, config.image_size, config.image_size}) - 0.5, conditionBatch(config, 8, 0));
    torch::NoGradGuard no_grad;
    for (auto& p : glow->parameters()) p.add_(torch::randn_like(p) * scale);
    glow->eval();
}

/// Test fixture: 1 LibTorch thread (the machine is shared) and a fresh seed per test, recorded in the
/// test output. DPFLOW_TEST_SEED=N replays a recorded seed.
class FlowTest : public ::testing::Test {
protected:
    void SetUp() override {
        configureThreads(1);
        const char* replay = std::getenv("DPFLOW_TEST_SEED");
        seed_ = replay ? std::stoull(replay) : std::random_device{}();
        torch::manual_seed(seed_);
        RecordProperty("torch_seed", std::to_string(seed_));
        std::cout << "[ seed     ] " << seed_ << '\n';
    }
    uint64_t seed_ = 0;
};

}  // namespace dpflow::test
