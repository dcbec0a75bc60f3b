#pragma once

// Whole-dataset passes over a trained flow: bits/dim and the latent calibration bounds.
// Internal to core/flow (LibTorch types).

#include "flow/glow.h"
#include "flow/training_data.h"

#include <torch/torch.h>

#include <cstdint>
#include <utility>

namespace dpflow {

/// Mean bits/dim over `data` with dequantisation noise from a generator seeded by `seed`
/// (the GLOW paper's measure; one noise draw per image). Runs in eval mode without autograd.
double meanBitsPerDim(Glow& glow, const FlowDataset& data, int batch_size, uint64_t seed);

/// Per-element (lo, hi) = (min, max) of the standardised latent u over `data`, encoding each
/// image at its bin centres as release-time encoding does. Each [D] float32 on the CPU.
std::pair<torch::Tensor, torch::Tensor> latentBounds(Glow& glow, const FlowDataset& data, int batch_size);

}  // namespace dpflow
