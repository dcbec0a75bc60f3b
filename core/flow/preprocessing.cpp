#include "flow/preprocessing.h"

#include <torch/torch.h>

#include <stdexcept>

namespace dpflow {

std::string fitModeName(FitMode mode) { return mode == FitMode::Pad ? "pad" : "resize"; }

FitMode parseFitMode(const std::string& name) {
    if (name == "pad") return FitMode::Pad;
    if (name == "resize") return FitMode::Resize;
    throw std::invalid_argument("unknown fit mode '" + name + "' (use 'pad' or 'resize')");
}

std::vector<float> fitImage(const Image& image, int size, FitMode mode) {
    const std::string source = image.source_path.empty() ? "image" : image.source_path.string();
    if (image.empty() || image.width <= 0 || image.height <= 0) throw std::invalid_argument(source + ": empty image");
    if (image.width == size && image.height == size) return image.pixels;
    if (mode == FitMode::Pad) {
        if (image.width > size || image.height > size) {
            throw std::invalid_argument(source + ": " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                                        " does not fit in " + std::to_string(size) + " px by padding (use resize)");
        }
        std::vector<float> out(static_cast<size_t>(size) * size, 0.0f);
        const int x0 = (size - image.width) / 2, y0 = (size - image.height) / 2;
        for (int y = 0; y < image.height; ++y) {
            for (int x = 0; x < image.width; ++x) out[static_cast<size_t>(y + y0) * size + x + x0] = image.at(x, y);
        }
        return out;
    }
    torch::NoGradGuard no_grad;
    const auto input = torch::from_blob(const_cast<float*>(image.pixels.data()), {1, 1, image.height, image.width},
                                        torch::kFloat32);
    const auto resized = torch::nn::functional::interpolate(
        input, torch::nn::functional::InterpolateFuncOptions()
                   .size(std::vector<int64_t>{size, size})
                   .mode(torch::kBilinear)
                   .align_corners(false)
                   .antialias(true));
    const auto clamped = resized.clamp(0.0, 1.0).contiguous();
    return {clamped.data_ptr<float>(), clamped.data_ptr<float>() + clamped.numel()};
}

}  // namespace dpflow
