#pragma once

// The invertible layers of GLOW (Kingma & Dhariwal 2018) for the conditional multi-scale flow.
// Internal to core/flow (LibTorch types); other modules use flow/flow_model.h.
//
// Conventions shared by every layer: `forward(x, cond, logdet)` maps data towards the latent,
// adds log|det J| per sample to `logdet` ([B]); `inverse(y, cond)` maps back exactly (up to
// float error). `cond` is the one-hot attribute vector [B, cond_dim] (cond_dim may be 0).

#include <torch/torch.h>

#include <utility>

namespace dpflow {

/// Per-channel affine y = (x + loc) * exp(logs), initialised from the first training batch so
/// that its output has zero mean and unit variance per channel. The "initialized" flag is a
/// buffer so that loading saved weights never re-initialises.
class ActNormImpl : public torch::nn::Module {
public:
    explicit ActNormImpl(int channels);
    torch::Tensor forward(const torch::Tensor& x, torch::Tensor& logdet);
    torch::Tensor inverse(const torch::Tensor& y);

    torch::Tensor loc, logs, initialized;
};
TORCH_MODULE(ActNorm);

/// Invertible 1x1 convolution with the LU parameterisation W = P L (U + diag(sign_s * exp(log_s)))
/// (P a fixed permutation, L unit lower triangular, U strictly upper triangular), so that
/// log|det W| = sum(log_s). Initialised from a random rotation (uses the global torch RNG).
class InvConv1x1Impl : public torch::nn::Module {
public:
    explicit InvConv1x1Impl(int channels);
    torch::Tensor forward(const torch::Tensor& x, torch::Tensor& logdet);
    torch::Tensor inverse(const torch::Tensor& y);

    /// W in float64 ([C, C]); computing the inverse from this keeps decode exact in float32.
    torch::Tensor weight64() const;

    torch::Tensor lower, upper, log_s, perm, sign_s;
};
TORCH_MODULE(InvConv1x1);

/// 3x3 convolution whose weights, bias and output scale start at zero, so a freshly built
/// coupling is the identity up to the constant sigmoid(2) scale (GLOW's "zero init").
class ZeroConv2dImpl : public torch::nn::Module {
public:
    ZeroConv2dImpl(int in_channels, int out_channels);
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor weight, bias, logs;
};
TORCH_MODULE(ZeroConv2d);

/// Affine coupling: x = (x_a, x_b); (shift, raw) = net([x_a, cond]);
/// scale = m + (1 - m) sigmoid(raw + 2) with m = `min_scale` (FlowConfig::coupling_min_scale);
/// y_b = (x_b + shift) * scale. The scale at most 1 keeps training stable; m > 0 bounds what
/// the inverse can amplify by (1/m). The conditioning enters every coupling network as constant
/// one-hot channels (conditional INN).
class AffineCouplingImpl : public torch::nn::Module {
public:
    AffineCouplingImpl(int channels, int hidden_channels, int cond_dim, double min_scale);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cond, torch::Tensor& logdet);
    torch::Tensor inverse(const torch::Tensor& y, const torch::Tensor& cond);

    torch::nn::Sequential net{nullptr};

    double minScale() const { return min_scale_; }

    /// The coupling network's three convolutions: 3x3 on [x_a, cond] with ReLU, 1x1 with ReLU,
    /// and the zero-initialised 3x3 that outputs (shift, raw).
    torch::nn::Conv2dImpl& firstConv() const;
    torch::nn::Conv2dImpl& middleConv() const;
    ZeroConv2dImpl& outputConv() const;

    /// Bounds of the inverse (see inverse()): the divisor's floor and the activations' bound.
    static constexpr double kMinInverseScale = 1e-6;
    static constexpr double kMaxActivation = 1e6;

private:
    std::pair<torch::Tensor, torch::Tensor> shiftAndScale(const torch::Tensor& xa, const torch::Tensor& cond);
    double min_scale_;
};
TORCH_MODULE(AffineCoupling);

/// One GLOW step: ActNorm, invertible 1x1 convolution, affine coupling. The inverse folds the
/// inverse of ActNorm and of the 1x1 convolution into one cached 1x1 convolution with bias
/// (computed in float64), rebuilt automatically when any of their tensors changes.
class FlowStepImpl : public torch::nn::Module {
public:
    FlowStepImpl(int channels, int hidden_channels, int cond_dim, double min_coupling_scale);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cond, torch::Tensor& logdet);
    torch::Tensor inverse(const torch::Tensor& y, const torch::Tensor& cond);

    /// The inverse of ActNorm then the 1x1 convolution as one affine map x = A y + c, computed
    /// in float64: A = diag(exp(-logs)) W^-1 ([C, C]) and c = -loc ([C]).
    std::pair<torch::Tensor, torch::Tensor> foldedInverse() const;

    /// ActNorm then the 1x1 convolution as y = A (x + loc), in float64: A = W diag(exp(logs)) and
    /// loc ([C]). The shift stays outside A: ActNorm centres the activations, and A x + A loc
    /// would cancel where A (x + loc) does not.
    std::pair<torch::Tensor, torch::Tensor> foldedForward() const;

    ActNorm actnorm{nullptr};
    InvConv1x1 invconv{nullptr};
    AffineCoupling coupling{nullptr};

private:
    std::vector<int64_t> parameterVersions() const;
    torch::Tensor inverse_weight_, inverse_bias_;
    std::vector<int64_t> cached_versions_;
};
TORCH_MODULE(FlowStep);

/// Learned diagonal Gaussian prior of one level's latent: mean and log-sd from a zero-initialised
/// 3x3 convolution of the kept half (split levels) or a learned per-position base (top level),
/// plus a zero-initialised linear map of the one-hot attributes (conditional prior).
class ConditionalPriorImpl : public torch::nn::Module {
public:
    /// `in_channels` 0 means the top prior (no input but the attributes).
    ConditionalPriorImpl(int in_channels, int latent_channels, int height, int width, int cond_dim);

    /// (mean, logsd), each [B, latent_channels, height, width]. `h` is ignored by the top prior;
    /// `batch` gives the batch size there.
    std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& h, const torch::Tensor& cond,
                                                    int64_t batch);

    ZeroConv2d conv{nullptr};
    torch::Tensor base;
    torch::nn::Linear cond{nullptr};
};
TORCH_MODULE(ConditionalPrior);

/// Space-to-depth by 2: [B, C, H, W] -> [B, 4C, H/2, W/2] (GLOW's squeeze) and its inverse.
torch::Tensor squeeze2(const torch::Tensor& x);
torch::Tensor unsqueeze2(const torch::Tensor& x);

}  // namespace dpflow
