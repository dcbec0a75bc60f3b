#include "flow/training_augmentation.h"

namespace dpflow {
namespace {

// Uniform draws in [-1, 1), one per image.
torch::Tensor symmetricUniform(int64_t count, at::Generator& generator) {
    return torch::rand({count}, generator, torch::TensorOptions().dtype(torch::kFloat32)) * 2.0f - 1.0f;
}

}  // namespace

torch::Tensor augmentLevels(const torch::Tensor& levels, const TrainingAugmentation& augmentation, int n_bins,
                            at::Generator generator) {
    if (!augmentation.enabled()) return levels;
    const int64_t count = levels.size(0);
    const int64_t side = levels.size(3);
    auto x = levels.to(torch::kFloat32);
    if (augmentation.max_scale > 0 || augmentation.max_shift_pixels > 0) {
        // affine_grid maps output to input coordinates in [-1, 1]; a zoom by s samples 1/s of the field.
        const auto scale = 1.0f + symmetricUniform(count, generator) * static_cast<float>(augmentation.max_scale);
        const float pixel = 2.0f / static_cast<float>(side);
        const auto shift_x = symmetricUniform(count, generator) * static_cast<float>(augmentation.max_shift_pixels) * pixel;
        const auto shift_y = symmetricUniform(count, generator) * static_cast<float>(augmentation.max_shift_pixels) * pixel;
        auto theta = torch::zeros({count, 2, 3});
        theta.select(1, 0).select(1, 0).copy_(1.0f / scale);
        theta.select(1, 1).select(1, 1).copy_(1.0f / scale);
        theta.select(1, 0).select(1, 2).copy_(shift_x);
        theta.select(1, 1).select(1, 2).copy_(shift_y);
        const auto grid = torch::nn::functional::affine_grid(theta, {count, 1, side, side}, /*align_corners=*/false);
        x = torch::nn::functional::grid_sample(x, grid, torch::nn::functional::GridSampleFuncOptions()
                                                            .mode(torch::kBilinear)
                                                            .padding_mode(torch::kBorder)
                                                            .align_corners(false));
    }
    if (augmentation.max_contrast > 0) {
        const auto contrast = (1.0f + symmetricUniform(count, generator) * static_cast<float>(augmentation.max_contrast))
                                  .view({count, 1, 1, 1});
        const auto brightness = (symmetricUniform(count, generator) * static_cast<float>(augmentation.max_contrast) *
                                 0.5f * static_cast<float>(n_bins - 1))
                                    .view({count, 1, 1, 1});
        const auto mean = x.mean({1, 2, 3}, /*keepdim=*/true);
        x = mean + contrast * (x - mean) + brightness;
    }
    return x.round().clamp(0, n_bins - 1).to(torch::kUInt8);
}

}  // namespace dpflow
