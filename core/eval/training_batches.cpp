#include "eval/training_batches.h"

#include "flow/preprocessing.h"

#include <algorithm>

namespace dpflow {

torch::Tensor imagesToTensor(const std::vector<const Image*>& images, int size) {
    auto batch = torch::empty({static_cast<int64_t>(images.size()), 1, size, size}, torch::kFloat32);
    const auto plane = static_cast<size_t>(size) * size;
    for (size_t i = 0; i < images.size(); ++i) {
        const auto values = fitImage(*images[i], size, FitMode::Resize);
        std::copy(values.begin(), values.end(), batch.data_ptr<float>() + i * plane);
    }
    return batch;
}

torch::Tensor augmentBatch(const torch::Tensor& batch, int max_shift, double intensity_jitter) {
    namespace F = torch::nn::functional;
    auto result = batch;
    const auto n = batch.size(0), h = batch.size(2), w = batch.size(3);
    if (max_shift > 0) {
        const auto padded = F::pad(batch, F::PadFuncOptions({max_shift, max_shift, max_shift, max_shift}).mode(torch::kReplicate));
        const auto offsets = torch::randint(0, 2 * max_shift + 1, {n, 2}, torch::kInt64);
        std::vector<torch::Tensor> shifted;
        shifted.reserve(n);
        for (int64_t i = 0; i < n; ++i) {
            const auto dy = offsets[i][0].item<int64_t>(), dx = offsets[i][1].item<int64_t>();
            shifted.push_back(padded[i].narrow(1, dy, h).narrow(2, dx, w));
        }
        result = torch::stack(shifted);
    }
    if (intensity_jitter > 0) {
        const auto contrast = 1.0 + (torch::rand({n, 1, 1, 1}) * 2 - 1) * intensity_jitter;
        const auto brightness = (torch::rand({n, 1, 1, 1}) * 2 - 1) * intensity_jitter;
        const auto mean = result.mean({2, 3}, true);
        result = ((result - mean) * contrast + mean + brightness).clamp(0.0, 1.0);
    }
    return result;
}

}  // namespace dpflow
