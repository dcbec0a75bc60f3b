#include "phantom/detector_model.h"

#include "phantom/phantom_random.h"

#include <algorithm>
#include <cmath>

namespace dpflow {
namespace {

void boxBlurRows(const std::vector<float>& in, std::vector<float>& out, int width, int height, int radius) {
    const float norm = 1.0f / (2 * radius + 1);
    for (int y = 0; y < height; ++y) {
        const float* row = &in[static_cast<std::size_t>(y) * width];
        float* dst = &out[static_cast<std::size_t>(y) * width];
        auto at = [&](int x) { return row[std::clamp(x, 0, width - 1)]; };
        float sum = 0;
        for (int x = -radius; x <= radius; ++x) sum += at(x);
        for (int x = 0; x < width; ++x) {
            dst[x] = sum * norm;
            sum += at(x + radius + 1) - at(x - radius);
        }
    }
}

void transpose(const std::vector<float>& in, std::vector<float>& out, int width, int height) {
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            out[static_cast<std::size_t>(x) * height + y] = in[static_cast<std::size_t>(y) * width + x];
}

void kernelRows(const std::vector<float>& in, std::vector<float>& out, int width, int height,
                const std::vector<float>& kernel) {
    const int radius = static_cast<int>(kernel.size() / 2);
    for (int y = 0; y < height; ++y) {
        const float* row = &in[static_cast<std::size_t>(y) * width];
        float* dst = &out[static_cast<std::size_t>(y) * width];
        for (int x = 0; x < width; ++x) {
            float sum = 0;
            for (int k = -radius; k <= radius; ++k) sum += kernel[k + radius] * row[std::clamp(x + k, 0, width - 1)];
            dst[x] = sum;
        }
    }
}

// Blurs along rows with either kernel, then along columns through a transpose.
void separable(std::vector<float>& raster, int width, int height, double sigma) {
    thread_local std::vector<float> a, b, tmp;
    a.resize(raster.size());
    b.resize(raster.size());
    tmp.resize(raster.size());
    auto pass = [&](const std::vector<float>& in, std::vector<float>& out, int w, int h) {
        if (sigma <= 3.0) {
            const int radius = std::max(1, static_cast<int>(std::ceil(3 * sigma)));
            std::vector<float> kernel(2 * radius + 1);
            float total = 0;
            for (int k = -radius; k <= radius; ++k) total += kernel[k + radius] = std::exp(-0.5 * k * k / (sigma * sigma));
            for (float& v : kernel) v /= total;
            kernelRows(in, out, w, h, kernel);
        } else {
            // Three box passes of this radius have the variance of the Gaussian.
            const int radius = std::max(1, static_cast<int>(std::lround((std::sqrt(4 * sigma * sigma + 1) - 1) / 2)));
            boxBlurRows(in, out, w, h, radius);
            boxBlurRows(out, tmp, w, h, radius);
            boxBlurRows(tmp, out, w, h, radius);
        }
    };
    pass(raster, a, width, height);
    transpose(a, b, width, height);
    pass(b, a, height, width);
    transpose(a, raster, height, width);
}

float percentile(std::vector<float> values, double fraction) {
    const auto k = static_cast<std::size_t>(fraction * (values.size() - 1));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
    return values[k];
}

}  // namespace

void gaussianBlur(std::vector<float>& raster, int width, int height, double sigma) {
    if (sigma < 0.15) return;
    separable(raster, width, height, sigma);
}

std::vector<float> exposeAndProcess(const std::vector<float>& line_integrals, int size, double pixel_mm,
                                    const Acquisition& acquisition, std::uint64_t noise_seed) {
    const std::size_t n = line_integrals.size();
    const double photons = acquisition.photons_per_mm2 * pixel_mm * pixel_mm;

    std::vector<float> primary(n);
    for (std::size_t i = 0; i < n; ++i) primary[i] = static_cast<float>(photons * std::exp(-line_integrals[i]));
    // Scatter arises where the primary interacts inside the patient, N0 (1 - e^-L), half
    // attenuated on its way out, and reaches the detector as a broad halo: open air next to
    // the body gets little of it, which is why a lead marker there stays white.
    std::vector<float> detected(n);
    for (std::size_t i = 0; i < n; ++i)
        detected[i] = static_cast<float>(0.5 * (photons - primary[i]) * std::exp(-0.5 * line_integrals[i]));
    gaussianBlur(detected, size, size, 35.0 / pixel_mm);
    PhantomRandom random(noise_seed);
    for (std::size_t i = 0; i < n; ++i) {
        const double mean = primary[i] + acquisition.scatter_fraction * detected[i];
        detected[i] = static_cast<float>(std::max(1.0, mean + std::sqrt(mean) * random.normal()));
    }
    gaussianBlur(detected, size, size, std::hypot(acquisition.detector_blur_mm / pixel_mm, 0.35));

    const double open_field = photons;
    std::vector<float> log_signal(n);
    for (std::size_t i = 0; i < n; ++i) log_signal[i] = static_cast<float>(std::log(open_field / detected[i]));
    // Exposure recognition windows the anatomy, not the open field around it: the low end is
    // taken among pixels behind the body, so air saturates to black and lungs are dark.
    const float hi = percentile(log_signal, 0.998);
    std::vector<float> body;
    for (float v : log_signal)
        if (v > 0.25f * hi) body.push_back(v);
    const float darkest = body.size() > n / 10 ? percentile(std::move(body), 0.01) : percentile(log_signal, 0.005);
    // Headroom below the darkest lung keeps the lung fields grey, with their markings visible.
    const float lo = darkest - 0.2f * (hi - darkest);
    const float range = std::max(hi - lo, 1e-3f);

    std::vector<float> display(n);
    for (std::size_t i = 0; i < n; ++i)
        display[i] = static_cast<float>(std::pow(std::clamp((log_signal[i] - lo) / range, 0.0f, 1.0f), acquisition.tone_gamma));
    std::vector<float> local_mean = display;
    gaussianBlur(local_mean, size, size, 3.0 / pixel_mm);
    for (std::size_t i = 0; i < n; ++i)
        display[i] = std::clamp(display[i] + static_cast<float>(acquisition.edge_enhancement) * (display[i] - local_mean[i]), 0.0f, 1.0f);
    return display;
}

}  // namespace dpflow
