#include "eval/conv_backbone.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace dpflow {
namespace {

void addConvBlock(torch::nn::Sequential& layers, int in_channels, int out_channels) {
    layers->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 3).padding(1).bias(false)));
    layers->push_back(torch::nn::BatchNorm2d(out_channels));
    layers->push_back(torch::nn::ReLU());
}

}  // namespace

std::vector<int> backboneStageChannels(int image_size, int base_channels) {
    if (image_size < kMinBackboneSize || image_size > kMaxBackboneSize)
        throw std::invalid_argument(fmt::format("image size {} is outside the supported {}..{} px", image_size,
                                                kMinBackboneSize, kMaxBackboneSize));
    if (base_channels < 1) throw std::invalid_argument("base channel count must be at least 1");
    int stages = 1;
    for (int side = image_size; side > 8; side /= 2) ++stages;
    std::vector<int> channels(stages);
    for (int i = 0; i < stages; ++i) channels[i] = base_channels << std::max(0, i - (stages - 3));
    return channels;
}

ConvBackboneImpl::ConvBackboneImpl(int image_size, int base_channels) {
    const auto channels = backboneStageChannels(image_size, base_channels);
    torch::nn::Sequential layers;
    int in_channels = 1;
    for (size_t stage = 0; stage < channels.size(); ++stage) {
        if (stage > 0) layers->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
        addConvBlock(layers, in_channels, channels[stage]);
        if (stage > 0) addConvBlock(layers, channels[stage], channels[stage]);
        in_channels = channels[stage];
    }
    layers->push_back(torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions(1)));
    layers->push_back(torch::nn::Flatten());
    layers_ = register_module("layers", layers);
    feature_count_ = in_channels;
}

torch::Tensor ConvBackboneImpl::forward(const torch::Tensor& x) { return layers_->forward(x); }

}  // namespace dpflow
