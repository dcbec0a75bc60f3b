#pragma once

// The shipped 32 px PneumoniaMNIST flow (calibrated, one attribute "label" in {0, 1}), loaded
// once per test program on one thread, and requests and images shared by the preview tests.

#include "flow/flow_model.h"
#include "flow/runtime.h"
#include "image/image_reader.h"
#include "preview/preview_request.h"
#include "privacy/privatizer.h"

#include <cmath>

namespace dpflow::test {

inline const FlowModel& pneumoniaFlow() {
    static const FlowModel model = [] {
        configureThreads(1);  // the machine is shared
        return FlowModel::load(std::filesystem::path(DPFLOW_SOURCE_DIR) / "models" / "pneumoniamnist-glow32.safetensors", "cpu");
    }();
    return model;
}

inline ModelReference pneumoniaReference() { return ModelReference{&pneumoniaFlow(), "pneumoniamnist-glow32.safetensors", "test"}; }

/// A real PneumoniaMNIST radiograph (28 px, label 0), read in place from the shared data. The
/// 32 px flow decodes it stably; synthetic images far from its training data can overflow.
inline Image chestImage() {
    return readImage(std::filesystem::path(DPFLOW_SHARED_DATA_DIR) / "pneumoniamnist" / "png" / "test" / "test_00234_normal.png");
}

inline AttributeValues labelZero() { return {{"label", "0"}}; }

inline PreviewRequest previewRequest(PrivacyMechanism mechanism, double epsilon, bool protect_label = false, double label_epsilon = 0.0) {
    PreviewRequest request;
    request.settings.mechanism.mechanism = mechanism;
    request.settings.mechanism.epsilon = epsilon;
    request.settings.attributes = {{"label", protect_label, label_epsilon}};
    return request;
}

inline double meanAbsoluteDifference(const Image& a, const Image& b) {
    double sum = 0.0;
    for (std::size_t i = 0; i < a.pixels.size(); ++i) sum += std::abs(a.pixels[i] - b.pixels[i]);
    return sum / a.pixels.size();
}

}  // namespace dpflow::test
