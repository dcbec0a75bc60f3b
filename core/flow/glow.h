#pragma once

// The multi-scale conditional GLOW. Internal to core/flow (LibTorch types); the torch-free
// facade for other modules is flow/flow_model.h.

#include "flow/flow_config.h"
#include "flow/glow_layers.h"

#include <torch/torch.h>

namespace dpflow {

/// One level: squeeze, K flow steps, then (all but the top level) split off half the channels
/// as this level's latent. Its prior is conditional on the kept half (split levels) or learned
/// outright (top level), and on the attributes. `config` gives the steps, their width, the
/// coupling scale bound and the conditioning.
class GlowLevelImpl : public torch::nn::Module {
public:
    GlowLevelImpl(int in_channels, int size, const FlowConfig& config, bool top);

    torch::nn::ModuleList steps{nullptr};
    ConditionalPrior prior{nullptr};
    bool top;
};
TORCH_MODULE(GlowLevel);

/// What encoding a batch gives: the standardised latent and the log-density terms.
struct GlowEncoding {
    torch::Tensor u;         ///< [B, D] standardised latent, levels in LatentLayout order
    torch::Tensor log_prob;  ///< [B] log p(x | c) of the continuous input x in nats: log N(u; 0, I) + log_det
    torch::Tensor log_det;   ///< [B] log|det du/dx|: every layer's and the priors' standardisation
};

/// Multi-scale GLOW on 1-channel images in model space x in [-0.5, 0.5] (see preprocessing.h),
/// with the logit layer of pixel_logit.h first when config.pixel_logit_alpha > 0.
/// Module names follow the tensor names in the weights file: levels.<i>.steps.<k>.<layer>...,
/// levels.<i>.prior....
class GlowImpl : public torch::nn::Module {
public:
    explicit GlowImpl(FlowConfig config);

    /// x: [B, 1, H, W]; cond: [B, conditionDim()] one-hot (a [B, 0] tensor when unconditional).
    /// In training mode the first call initialises every ActNorm from this batch.
    GlowEncoding encode(const torch::Tensor& x, const torch::Tensor& cond);

    /// Exact inverse of encode: u [B, D] -> x [B, 1, H, W]. Runs without autograd.
    torch::Tensor decode(const torch::Tensor& u, const torch::Tensor& cond);

    /// Bound on the prior's log-scale at decoding, for the same reason as AffineCouplingImpl's
    /// bounds: far from the data it can overflow exp(). On data it stays within a few units.
    static constexpr double kMaxPriorLogScale = 30.0;

    /// Bits per dimension of dequantised inputs x (see preprocessing.h): the GLOW paper's
    /// (-log p(x|c) + D log n_bins) / (D log 2), per sample [B].
    torch::Tensor bitsPerDim(const torch::Tensor& x, const torch::Tensor& cond);

    const FlowConfig& config() const { return config_; }
    const LatentLayout& layout() const { return layout_; }

    torch::nn::ModuleList levels{nullptr};

private:
    FlowConfig config_;
    LatentLayout layout_;
};
TORCH_MODULE(Glow);

}  // namespace dpflow
