#pragma once

// The logit pixel space: the flow's optional first layer (RealNVP, Dinh et al. 2017, sec. 4.1).
// Internal to core/flow.
//
// With alpha > 0 (FlowConfig::pixel_logit_alpha) a model-space value x in [-0.5, 0.5] (see
// model_space.h) enters the flow as y = logit(s), s = alpha + (1 - 2 alpha)(x + 0.5), and decoding
// ends with the inverse x = (sigmoid(y) - alpha) / (1 - 2 alpha) - 0.5. The slope
// dy/dx = (1 - 2 alpha) / (s (1 - s)) is largest near black and white, so a change of the latent
// that moves a mid-grey pixel by one level moves a near-black one by a fraction of a level: a
// film's black border cannot be decoded a shade darker into pure black by the small shifts the
// latent box clip makes. Encoding adds the log of that slope to the log-density, so bits/dim stay
// those of x. With alpha = 0 the layer is the identity (every model trained before it existed).

#include <torch/torch.h>

namespace dpflow {

/// The layer on one value, for the CPU GLOW's scalar loops.
struct PixelLogit {
    double alpha = 0.0;
    bool enabled() const { return alpha > 0.0; }
    /// x -> y (x clamped to [-0.5, 0.5] first: the bins of the model space).
    float toFlow(float x) const;
    /// y -> x (not clamped: far from the data x may leave [-0.5, 0.5] by alpha / (1 - 2 alpha)).
    float fromFlow(float y) const;
};

/// The layer on a batch [B, ...]: y = logit(s), adding log dy/dx summed per sample to `logdet` [B].
torch::Tensor pixelLogitForward(const torch::Tensor& x, double alpha, torch::Tensor& logdet);

/// Its inverse on a batch.
torch::Tensor pixelLogitInverse(const torch::Tensor& y, double alpha);

}  // namespace dpflow
