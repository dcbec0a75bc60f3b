#pragma once

// Turning Images into network input and augmenting it, shared by the classifier and the
// re-identification embedding. Internal to core/eval (LibTorch types).

#include "image/image.h"

#include <torch/torch.h>

#include <vector>

namespace dpflow {

/// The images brought to size x size (bilinear resize with antialiasing when their size
/// differs) as a [N, 1, size, size] float tensor of display values in [0,1].
torch::Tensor imagesToTensor(const std::vector<const Image*>& images, int size);

/// Label-preserving augmentation for chest radiographs: a random shift of up to `max_shift`
/// pixels in each direction (edges replicated), then brightness and contrast jitter of up to
/// +-`intensity_jitter`. No flips or rotations: a chest X-ray is not left-right symmetric
/// (heart, stomach bubble, side markers). Uses torch's global generator (seeded by the caller).
torch::Tensor augmentBatch(const torch::Tensor& batch, int max_shift, double intensity_jitter);

}  // namespace dpflow
