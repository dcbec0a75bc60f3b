#include "eval/image_similarity.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace dpflow {
namespace {

constexpr int kWindowRadius = 5;  // 11 x 11 window
constexpr double kWindowSigma = 1.5;

void requireSameSize(const Image& first, const Image& second, const char* measure) {
    if (first.width != second.width || first.height != second.height)
        throw std::invalid_argument(fmt::format("{}: images differ in size ({}x{} vs {}x{})", measure, first.width,
                                                first.height, second.width, second.height));
    if (first.empty()) throw std::invalid_argument(fmt::format("{}: the images are empty", measure));
}

std::vector<double> gaussianWindow() {
    std::vector<double> weights(2 * kWindowRadius + 1);
    double sum = 0.0;
    for (int i = -kWindowRadius; i <= kWindowRadius; ++i) {
        weights[i + kWindowRadius] = std::exp(-0.5 * i * i / (kWindowSigma * kWindowSigma));
        sum += weights[i + kWindowRadius];
    }
    for (auto& w : weights) w /= sum;
    return weights;
}

// Weighted local means of `values` over every fully inside window position (separable filter).
// Result is (width - 10) x (height - 10), row-major.
std::vector<double> filterValid(const std::vector<double>& values, int width, int height,
                                const std::vector<double>& window) {
    const int out_w = width - 2 * kWindowRadius;
    const int out_h = height - 2 * kWindowRadius;
    std::vector<double> rows(static_cast<size_t>(out_w) * height);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < out_w; ++x) {
            double sum = 0.0;
            for (int k = 0; k < static_cast<int>(window.size()); ++k)
                sum += window[k] * values[static_cast<size_t>(y) * width + x + k];
            rows[static_cast<size_t>(y) * out_w + x] = sum;
        }
    std::vector<double> result(static_cast<size_t>(out_w) * out_h);
    for (int y = 0; y < out_h; ++y)
        for (int x = 0; x < out_w; ++x) {
            double sum = 0.0;
            for (int k = 0; k < static_cast<int>(window.size()); ++k)
                sum += window[k] * rows[static_cast<size_t>(y + k) * out_w + x];
            result[static_cast<size_t>(y) * out_w + x] = sum;
        }
    return result;
}

}  // namespace

double structuralSimilarity(const Image& first, const Image& second) {
    requireSameSize(first, second, "SSIM");
    const int side = 2 * kWindowRadius + 1;
    if (first.width < side || first.height < side)
        throw std::invalid_argument(fmt::format("SSIM: images of {}x{} are smaller than the {}x{} window", first.width,
                                                first.height, side, side));
    const size_t n = first.pixels.size();
    std::vector<double> x(n), y(n), xx(n), yy(n), xy(n);
    for (size_t i = 0; i < n; ++i) {
        x[i] = first.pixels[i];
        y[i] = second.pixels[i];
        xx[i] = x[i] * x[i];
        yy[i] = y[i] * y[i];
        xy[i] = x[i] * y[i];
    }
    const auto window = gaussianWindow();
    const auto filter = [&](const std::vector<double>& v) { return filterValid(v, first.width, first.height, window); };
    const auto mx = filter(x), my = filter(y), mxx = filter(xx), myy = filter(yy), mxy = filter(xy);
    const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;  // (K * data range)^2 with data range 1
    double sum = 0.0;
    for (size_t i = 0; i < mx.size(); ++i) {
        const double vx = mxx[i] - mx[i] * mx[i];
        const double vy = myy[i] - my[i] * my[i];
        const double cov = mxy[i] - mx[i] * my[i];
        sum += ((2 * mx[i] * my[i] + c1) * (2 * cov + c2)) /
               ((mx[i] * mx[i] + my[i] * my[i] + c1) * (vx + vy + c2));
    }
    return sum / static_cast<double>(mx.size());
}

double peakSignalToNoiseRatio(const Image& first, const Image& second) {
    requireSameSize(first, second, "PSNR");
    double sum = 0.0;
    for (size_t i = 0; i < first.pixels.size(); ++i) {
        const double d = static_cast<double>(first.pixels[i]) - second.pixels[i];
        sum += d * d;
    }
    if (sum == 0.0) return std::numeric_limits<double>::infinity();
    return 10.0 * std::log10(1.0 / (sum / static_cast<double>(first.pixels.size())));
}

}  // namespace dpflow
