#include "eval/pixel_features.h"

#include "flow/preprocessing.h"

#include <cmath>
#include <stdexcept>

namespace dpflow {

std::vector<float> normalisedPixelFeatures(const Image& image, int size) {
    if (size < 0) throw std::invalid_argument("pixel features: the size must not be negative");
    if (image.empty()) throw std::invalid_argument("pixel features: the image is empty");
    auto values = size == 0 ? image.pixels : fitImage(image, size, FitMode::Resize);
    double sum = 0.0, sum_sq = 0.0;
    for (const float v : values) {
        sum += v;
        sum_sq += static_cast<double>(v) * v;
    }
    const double n = static_cast<double>(values.size());
    const double mean = sum / n;
    const double sd = std::sqrt(std::max(0.0, sum_sq / n - mean * mean));
    for (auto& v : values) v = sd > 1e-12 ? static_cast<float>((v - mean) / sd) : 0.0f;
    return values;
}

}  // namespace dpflow
