#include "flow/glow.h"

#include "flow/pixel_logit.h"

#include <cmath>

namespace dpflow {
namespace {

const double kLogTwoPi = std::log(2.0 * M_PI);

}  // namespace

GlowLevelImpl::GlowLevelImpl(int in_channels, int size, const FlowConfig& config, bool is_top) : top(is_top) {
    const int channels = in_channels * 4;
    const int half = size / 2;
    const int cond_dim = config.conditionDim();
    steps = register_module("steps", torch::nn::ModuleList());
    for (int k = 0; k < config.steps; ++k) {
        steps->push_back(FlowStep(channels, config.hidden_channels, cond_dim, config.coupling_min_scale));
    }
    prior = register_module("prior", is_top ? ConditionalPrior(0, channels, half, half, cond_dim)
                                            : ConditionalPrior(channels / 2, channels / 2, half, half, cond_dim));
}

GlowImpl::GlowImpl(FlowConfig config) : config_(std::move(config)), layout_(latentLayout(config_)) {
    levels = register_module("levels", torch::nn::ModuleList());
    int channels = 1;
    int size = config_.image_size;
    for (int i = 0; i < config_.levels; ++i) {
        const bool top = i == config_.levels - 1;
        levels->push_back(GlowLevel(channels, size, config_, top));
        channels = top ? channels * 4 : channels * 2;
        size /= 2;
    }
}

GlowEncoding GlowImpl::encode(const torch::Tensor& x, const torch::Tensor& cond) {
    const auto batch = x.size(0);
    auto logdet = torch::zeros({batch}, x.options());
    auto log_normal = torch::zeros({batch}, x.options());
    std::vector<torch::Tensor> blocks;
    auto h = pixelLogitForward(x, config_.pixel_logit_alpha, logdet);
    for (const auto& module : *levels) {
        auto& level = *module->as<GlowLevelImpl>();
        h = squeeze2(h);
        for (const auto& step : *level.steps) h = step->as<FlowStepImpl>()->forward(h, cond, logdet);
        torch::Tensor z;
        if (level.top) {
            z = h;
        } else {
            const auto halves = h.chunk(2, 1);
            h = halves[0];
            z = halves[1];
        }
        const auto [mean, logsd] = level.prior->forward(h, cond, batch);
        const auto u = (z - mean) * torch::exp(-logsd);
        logdet = logdet - logsd.flatten(1).sum(1);
        log_normal = log_normal + (-0.5 * kLogTwoPi - 0.5 * u * u).flatten(1).sum(1);
        blocks.push_back(u.flatten(1));
    }
    return {torch::cat(blocks, 1), log_normal + logdet, logdet};
}

torch::Tensor GlowImpl::decode(const torch::Tensor& u, const torch::Tensor& cond) {
    torch::NoGradGuard no_grad;
    const auto batch = u.size(0);
    torch::Tensor h;
    for (int i = config_.levels - 1; i >= 0; --i) {
        auto& level = *levels[static_cast<size_t>(i)]->as<GlowLevelImpl>();
        const auto& block = layout_.levels[static_cast<size_t>(i)];
        const auto ui = u.narrow(1, block.offset, block.size()).view({batch, block.channels, block.height, block.width});
        const auto [mean, logsd] = level.prior->forward(h, cond, batch);
        constexpr double kMaxActivation = AffineCouplingImpl::kMaxActivation;
        const auto z = (mean + torch::exp(logsd.clamp_max(kMaxPriorLogScale)) * ui).clamp(-kMaxActivation, kMaxActivation);
        h = level.top ? z : torch::cat({h, z}, 1);
        for (auto k = static_cast<int64_t>(level.steps->size()) - 1; k >= 0; --k) {
            h = level.steps[static_cast<size_t>(k)]->as<FlowStepImpl>()->inverse(h, cond);
        }
        h = unsqueeze2(h);
    }
    return pixelLogitInverse(h, config_.pixel_logit_alpha);
}

torch::Tensor GlowImpl::bitsPerDim(const torch::Tensor& x, const torch::Tensor& cond) {
    const double dims = static_cast<double>(config_.latentDim());
    const auto log_prob = encode(x, cond).log_prob;
    return (-log_prob + dims * std::log(static_cast<double>(config_.n_bins))) / (dims * std::log(2.0));
}

}  // namespace dpflow
