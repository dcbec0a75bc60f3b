#include "flow/preprocessing.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

namespace dpflow {

namespace {

// `image` centred on a black side x side canvas (side >= both of its dimensions).
std::vector<float> centredOnCanvas(const Image& image, int side) {
    std::vector<float> out(static_cast<size_t>(side) * side, 0.0f);
    const int x0 = (side - image.width) / 2, y0 = (side - image.height) / 2;
    for (int y = 0; y < image.height; ++y) {
        for (int x = 0; x < image.width; ++x) out[static_cast<size_t>(y + y0) * side + x + x0] = image.at(x, y);
    }
    return out;
}

std::vector<float> resampled(const std::vector<float>& pixels, int width, int height, int size) {
    torch::NoGradGuard no_grad;
    const auto input = torch::from_blob(const_cast<float*>(pixels.data()), {1, 1, height, width}, torch::kFloat32);
    const auto resized = torch::nn::functional::interpolate(
        input, torch::nn::functional::InterpolateFuncOptions()
                   .size(std::vector<int64_t>{size, size})
                   .mode(torch::kBilinear)
                   .align_corners(false)
                   .antialias(true));
    const auto clamped = resized.clamp(0.0, 1.0).contiguous();
    return {clamped.data_ptr<float>(), clamped.data_ptr<float>() + clamped.numel()};
}

}  // namespace

std::string fitModeName(FitMode mode) {
    switch (mode) {
        case FitMode::Pad: return "pad";
        case FitMode::Resize: return "resize";
        case FitMode::Square: return "square";
    }
    return "resize";
}

FitMode parseFitMode(const std::string& name) {
    if (name == "pad") return FitMode::Pad;
    if (name == "resize") return FitMode::Resize;
    if (name == "square") return FitMode::Square;
    throw std::invalid_argument("unknown fit mode '" + name + "' (use 'pad', 'resize' or 'square')");
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
        return centredOnCanvas(image, size);
    }
    if (mode == FitMode::Square && image.width != image.height) {
        const int side = std::max(image.width, image.height);
        return resampled(centredOnCanvas(image, side), side, side, size);
    }
    return resampled(image.pixels, image.width, image.height, size);
}

}  // namespace dpflow
