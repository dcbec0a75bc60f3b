#include "flow/dataset_statistics.h"

#include "flow/model_space.h"

namespace dpflow {
namespace {

torch::Device deviceOf(Glow& glow) { return glow->parameters().front().device(); }

}  // namespace

double meanBitsPerDim(Glow& glow, const FlowDataset& data, int batch_size, uint64_t seed) {
    glow->eval();
    torch::NoGradGuard no_grad;
    auto generator = at::detail::createCPUGenerator(seed);
    const auto device = deviceOf(glow);
    double total = 0.0;
    for (int64_t start = 0; start < data.size(); start += batch_size) {
        const auto count = std::min<int64_t>(batch_size, data.size() - start);
        const auto x = dequantize(data.levels.narrow(0, start, count), glow->config().n_bins, generator).to(device);
        total += glow->bitsPerDim(x, data.cond.narrow(0, start, count).to(device)).sum().item<double>();
    }
    return total / static_cast<double>(data.size());
}

std::pair<torch::Tensor, torch::Tensor> latentBounds(Glow& glow, const FlowDataset& data, int batch_size) {
    glow->eval();
    torch::NoGradGuard no_grad;
    const auto device = deviceOf(glow);
    torch::Tensor lo, hi;
    for (int64_t start = 0; start < data.size(); start += batch_size) {
        const auto count = std::min<int64_t>(batch_size, data.size() - start);
        const auto x = binCentres(data.levels.narrow(0, start, count), glow->config().n_bins).to(device);
        const auto u = glow->encode(x, data.cond.narrow(0, start, count).to(device)).u.to(torch::kCPU);
        const auto batch_lo = std::get<0>(u.min(0));
        const auto batch_hi = std::get<0>(u.max(0));
        lo = lo.defined() ? torch::minimum(lo, batch_lo) : batch_lo;
        hi = hi.defined() ? torch::maximum(hi, batch_hi) : batch_hi;
    }
    return {lo, hi};
}

}  // namespace dpflow
