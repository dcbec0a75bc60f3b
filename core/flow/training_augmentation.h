#pragma once

// Anatomy-preserving augmentation of training images for flow training. Internal to core/flow
// (LibTorch types); the settings live in flow_trainer.h (TrainingAugmentation).
//
// Chest films of one hospital differ by small positioning and exposure changes, so these are
// what the training set is varied by: a small scale about the centre, a small translation, and
// a linear contrast/brightness change. Never a horizontal flip: it moves the heart to the right.

#include "flow/flow_trainer.h"

#include <torch/torch.h>

namespace dpflow {

/// Applies `augmentation` to a batch of uint8 quantisation levels [B, 1, S, S] (values
/// 0..n_bins-1), drawing one independent transform per image from `generator`, and returns
/// uint8 levels of the same shape: the geometric part resamples bilinearly with the border
/// repeated (no black wedges), the contrast part is x' = m + c (x - m) + d around the image's
/// mean m, and the result is rounded and clamped to the level range, so the flow still sees
/// discrete data for dequantisation. Returns `levels` unchanged when nothing is enabled.
torch::Tensor augmentLevels(const torch::Tensor& levels, const TrainingAugmentation& augmentation, int n_bins,
                            at::Generator generator);

}  // namespace dpflow
