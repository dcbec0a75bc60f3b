#include "image/voi_transform.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dpflow {

double LookupTable::lookup(double x) const {
    if (entries.empty()) {
        return 0.0;
    }
    const double index = std::nearbyint(x) - static_cast<double>(first_mapped);
    const double last = static_cast<double>(entries.size() - 1);
    return entries[static_cast<size_t>(std::clamp(index, 0.0, last))];
}

double modalityValue(int32_t stored, const DisplayTransform& transform) {
    if (transform.modality_lut) {
        return transform.modality_lut->lookup(stored);
    }
    return transform.rescale_slope * stored + transform.rescale_intercept;
}

double applyWindow(double modality, const DisplayWindow& window, VoiFunction function) {
    const double c = window.center;
    const double w = window.width;
    switch (function) {
    case VoiFunction::Sigmoid:
        return 1.0 / (1.0 + std::exp(-4.0 * (modality - c) / w));
    case VoiFunction::LinearExact:
        if (modality <= c - w / 2.0) {
            return 0.0;
        }
        if (modality > c + w / 2.0) {
            return 1.0;
        }
        return (modality - c) / w + 0.5;
    case VoiFunction::Linear:
        break;
    }
    if (modality <= c - 0.5 - (w - 1.0) / 2.0) {
        return 0.0;
    }
    if (modality > c - 0.5 + (w - 1.0) / 2.0) {
        return 1.0;
    }
    return (modality - (c - 0.5)) / (w - 1.0) + 0.5;
}

std::vector<float> renderDisplay(StoredFrame frame, const DisplayTransform& transform) {
    std::vector<float> display = std::move(frame.values);
    const double lut_scale =
        transform.voi_lut ? 1.0 / (std::ldexp(1.0, transform.voi_lut->output_bits) - 1.0) : 0.0;
    for (size_t i = 0; i < display.size(); ++i) {
        const double m = modalityValue(static_cast<int32_t>(display[i]), transform);
        double y = transform.voi_lut ? transform.voi_lut->lookup(m) * lut_scale
                                     : applyWindow(m, transform.window, transform.function);
        y = std::clamp(y, 0.0, 1.0);
        display[i] = static_cast<float>(transform.invert ? 1.0 - y : y);
    }
    return display;
}

DisplayWindow minMaxWindow(double min, double max) {
    return DisplayWindow{min + (max - min + 1.0) / 2.0, max - min + 1.0};
}

std::pair<double, double> modalityRange(const StoredFrame& frame, const DisplayTransform& transform) {
    double lo = std::numeric_limits<double>::infinity();
    double hi = -std::numeric_limits<double>::infinity();
    for (const float v : frame.values) {
        const double m = modalityValue(static_cast<int32_t>(v), transform);
        lo = std::min(lo, m);
        hi = std::max(hi, m);
    }
    if (frame.values.empty()) {
        return {0.0, 0.0};
    }
    return {lo, hi};
}

DisplayWindow fullRangeWindow(int bits) {
    const double levels = std::ldexp(1.0, bits);
    return DisplayWindow{levels / 2.0, levels};
}

}  // namespace dpflow
