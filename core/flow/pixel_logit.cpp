#include "flow/pixel_logit.h"

#include <algorithm>
#include <cmath>

namespace dpflow {

float PixelLogit::toFlow(float x) const {
    if (!enabled()) return x;
    const double s = alpha + (1.0 - 2.0 * alpha) * (std::clamp(static_cast<double>(x), -0.5, 0.5) + 0.5);
    return static_cast<float>(std::log(s) - std::log1p(-s));
}

float PixelLogit::fromFlow(float y) const {
    if (!enabled()) return y;
    const double s = 1.0 / (1.0 + std::exp(-static_cast<double>(y)));
    return static_cast<float>((s - alpha) / (1.0 - 2.0 * alpha) - 0.5);
}

torch::Tensor pixelLogitForward(const torch::Tensor& x, double alpha, torch::Tensor& logdet) {
    if (alpha <= 0.0) return x;
    const auto s = alpha + (1.0 - 2.0 * alpha) * (x.clamp(-0.5, 0.5) + 0.5);
    const auto log_s = torch::log(s), log_one_minus_s = torch::log1p(-s);
    logdet = logdet + (std::log(1.0 - 2.0 * alpha) - log_s - log_one_minus_s).flatten(1).sum(1);
    return log_s - log_one_minus_s;
}

torch::Tensor pixelLogitInverse(const torch::Tensor& y, double alpha) {
    if (alpha <= 0.0) return y;
    return (torch::sigmoid(y) - alpha) / (1.0 - 2.0 * alpha) - 0.5;
}

}  // namespace dpflow
