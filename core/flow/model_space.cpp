#include "flow/model_space.h"

namespace dpflow {

torch::Tensor toModelSpace(const torch::Tensor& p, int n_bins) {
    const ModelSpaceFromDisplay map(n_bins);
    return p * map.gain + map.offset;
}

torch::Tensor fromModelSpace(const torch::Tensor& x, int n_bins) {
    const DisplayFromModelSpace map(n_bins);
    return (x + map.offset) * map.gain;
}

torch::Tensor quantizeLevels(const torch::Tensor& p, int n_bins) {
    TORCH_CHECK(n_bins >= 2 && n_bins <= 256, "n_bins must be in [2, 256]");
    return torch::round(p.clamp(0.0, 1.0) * (n_bins - 1)).to(torch::kUInt8);
}

torch::Tensor dequantize(const torch::Tensor& levels, int n_bins, at::Generator generator) {
    const auto noise = torch::rand(levels.sizes(), generator, torch::TensorOptions().dtype(torch::kFloat32));
    return (levels.to(torch::kFloat32) + noise.to(levels.device())) / static_cast<double>(n_bins) - 0.5;
}

torch::Tensor binCentres(const torch::Tensor& levels, int n_bins) {
    return (levels.to(torch::kFloat32) + 0.5) / static_cast<double>(n_bins) - 0.5;
}

}  // namespace dpflow
