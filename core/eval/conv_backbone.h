#pragma once

// The small convolutional feature extractor shared by the downstream classifier and the learned
// re-identification embedding. Internal to core/eval (LibTorch types).

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace dpflow {

/// Smallest and largest square input side the backbone is designed for.
constexpr int kMinBackboneSize = 16;
constexpr int kMaxBackboneSize = 256;

/// Stages of 3x3 convolutions with batch norm and ReLU, separated by 2x2 max pooling until the
/// feature map is at most 8 pixels wide, then global average pooling. The first stage has a
/// single convolution (it runs at full resolution and dominates the cost at 128 px); later
/// stages have two. Widths grow to 4 x base_channels over the last three stages only, so
/// large inputs do not pay for wide early stages: 28 px -> 16/32/64 channels at 28/14/7 px.
class ConvBackboneImpl : public torch::nn::Module {
public:
    /// Throws std::invalid_argument when image_size is outside [kMinBackboneSize, kMaxBackboneSize]
    /// or base_channels < 1.
    ConvBackboneImpl(int image_size, int base_channels);

    /// [N, 1, S, S] -> [N, featureCount()].
    torch::Tensor forward(const torch::Tensor& x);

    std::int64_t featureCount() const { return feature_count_; }

private:
    torch::nn::Sequential layers_{nullptr};
    std::int64_t feature_count_ = 0;
};
TORCH_MODULE(ConvBackbone);

/// Channel widths of the stages for `image_size` (exposed for the model card).
std::vector<int> backboneStageChannels(int image_size, int base_channels);

}  // namespace dpflow
