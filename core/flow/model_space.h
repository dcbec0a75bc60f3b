#pragma once

// Model space: how display values become the flow's input. Internal to core/flow (LibTorch).
//
// Display values p in [0,1] are quantised to k = round(p (n_bins - 1)) (uint8 "levels"); the
// flow sees x = (k + d) / n_bins - 0.5 with d ~ U[0,1) in training (dequantisation, GLOW
// paper) and d = 1/2 (the bin centre) when encoding, so x lies in [-0.5, 0.5]. For p exactly on
// the grid the bin centre is x = p (n_bins - 1) / n_bins + 0.5 / n_bins - 0.5: that affine map
// is what encoding applies to any p (no rounding, so encode/decode round-trip any image), and
// decoding inverts it.

#include <torch/torch.h>

namespace dpflow {

/// Display values -> x (the affine map above): x = p * gain + offset.
struct ModelSpaceFromDisplay {
    double gain = 1.0, offset = 0.0;
    explicit ModelSpaceFromDisplay(int n_bins) : gain((n_bins - 1.0) / n_bins), offset(0.5 / n_bins - 0.5) {}
    float operator()(float p) const { return static_cast<float>(p * gain + offset); }
};
torch::Tensor toModelSpace(const torch::Tensor& p, int n_bins);

/// x -> display values (inverse of toModelSpace, not clamped): p = (x + offset) * gain.
struct DisplayFromModelSpace {
    double offset = 0.0, gain = 1.0;
    explicit DisplayFromModelSpace(int n_bins) : offset(0.5 - 0.5 / n_bins), gain(n_bins / (n_bins - 1.0)) {}
    float operator()(float x) const { return static_cast<float>((x + offset) * gain); }
};
torch::Tensor fromModelSpace(const torch::Tensor& x, int n_bins);

/// Display values -> uint8 levels k = round(p (n_bins - 1)), p clamped to [0,1] first.
/// Requires n_bins <= 256.
torch::Tensor quantizeLevels(const torch::Tensor& p, int n_bins);

/// Training input: (k + U[0,1)) / n_bins - 0.5, float32, noise drawn from `generator`.
torch::Tensor dequantize(const torch::Tensor& levels, int n_bins, at::Generator generator);

/// Deterministic input: the bin centres (k + 0.5) / n_bins - 0.5.
torch::Tensor binCentres(const torch::Tensor& levels, int n_bins);

}  // namespace dpflow
