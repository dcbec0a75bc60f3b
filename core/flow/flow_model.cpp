#include "flow/flow_model.h"

#include "flow/cpu_glow.h"
#include "flow/decode_cost.h"
#include "flow/decode_thread_policy.h"
#include "flow/model_io.h"
#include "flow/model_space.h"
#include "flow/runtime.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <stdexcept>

namespace dpflow {
namespace {

void requireFinite(const std::vector<float>& values, const char* what) {
    for (float v : values) {
        if (!std::isfinite(v)) throw std::invalid_argument(std::string(what) + " contains a non-finite value");
    }
}

std::vector<float> toVector(const torch::Tensor& tensor) {
    const auto cpu = tensor.to(torch::kCPU, torch::kFloat32).contiguous();
    return {cpu.data_ptr<float>(), cpu.data_ptr<float>() + cpu.numel()};
}

}  // namespace

struct FlowModel::Impl {
    StoredGlow model;
    LatentLayout layout;
    torch::Device device{torch::kCPU};
    std::vector<float> lo, hi;
    std::mutex mutex;
    std::unique_ptr<CpuGlow> cpu_glow;  // built at the first encode or decode on the CPU
    DecodeThreadPolicy decode_threads, encode_threads;  // each from its own passes' timings

    CpuGlow& cpuGlow() {
        if (!cpu_glow) cpu_glow = std::make_unique<CpuGlow>(*model.glow);
        return *cpu_glow;
    }

    /// Runs `pass` (an encode or decode of item b with the given threads) for every item, each
    /// with the thread count `policy` chooses from the passes' own timings.
    template <class Pass>
    static void runOnCpu(DecodeThreadPolicy& policy, size_t items, Pass&& pass) {
        const int configured = at::get_num_threads();
        for (size_t b = 0; b < items; ++b) {
            const int threads = policy.threadsForNextDecode(configured);
            const auto start = std::chrono::steady_clock::now();
            pass(b, threads);
            policy.record(threads, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        }
    }

    torch::Tensor conditions(const std::vector<AttributeValues>& attributes) const {
        std::vector<float> flat;
        for (const auto& values : attributes) {
            const auto one_hot = model.card.config.oneHot(values);
            flat.insert(flat.end(), one_hot.begin(), one_hot.end());
        }
        const auto batch = static_cast<int64_t>(attributes.size());
        return torch::tensor(flat).view({batch, model.card.config.conditionDim()}).to(device);
    }

    static void check(const std::vector<float>& values, int64_t batch, int64_t per_item, const char* what) {
        if (batch == 0 || values.size() != static_cast<size_t>(batch * per_item)) {
            throw std::invalid_argument(std::string(what) + " has " + std::to_string(values.size()) + " values; the model needs " +
                                        std::to_string(per_item) + " per item for " + std::to_string(batch) + " item(s)");
        }
        requireFinite(values, what);
    }

    torch::Tensor input(const std::vector<float>& values, int64_t batch, int64_t per_item, const char* what) const {
        check(values, batch, per_item, what);
        return torch::tensor(values).view({batch, per_item}).to(device);
    }

    /// Display values of the decoded latents, through CpuGlow one latent at a time.
    std::vector<float> decodeOnCpu(const std::vector<float>& u, const std::vector<AttributeValues>& attributes) {
        const auto& config = model.card.config;
        const auto per_item = static_cast<size_t>(config.latentDim());
        for (const auto& values : attributes) config.oneHot(values);  // refuses unknown attributes before any work
        CpuGlow& glow = cpuGlow();
        std::vector<float> x(u.size());
        runOnCpu(decode_threads, attributes.size(), [&](size_t b, int threads) {
            glow.decode(u.data() + b * per_item, config.oneHot(attributes[b]), x.data() + b * per_item, threads);
        });
        const DisplayFromModelSpace display(config.n_bins);
        for (float& v : x) v = std::clamp(display(v), 0.0f, 1.0f);
        return x;
    }

    /// Latents of images of display values, through CpuGlow one image at a time.
    std::vector<float> encodeOnCpu(const std::vector<float>& pixels, const std::vector<AttributeValues>& attributes) {
        const auto& config = model.card.config;
        const auto per_item = static_cast<size_t>(config.latentDim());
        for (const auto& values : attributes) config.oneHot(values);
        CpuGlow& glow = cpuGlow();
        const ModelSpaceFromDisplay to_model(config.n_bins);
        std::vector<float> x(pixels.size()), u(pixels.size());
        for (size_t i = 0; i < pixels.size(); ++i) x[i] = to_model(pixels[i]);
        runOnCpu(encode_threads, attributes.size(), [&](size_t b, int threads) {
            glow.encode(x.data() + b * per_item, config.oneHot(attributes[b]), u.data() + b * per_item, threads);
        });
        return u;
    }
};

FlowModel::FlowModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FlowModel::FlowModel(FlowModel&&) noexcept = default;
FlowModel& FlowModel::operator=(FlowModel&&) noexcept = default;
FlowModel::~FlowModel() = default;

FlowModel FlowModel::load(const std::filesystem::path& path, const std::string& device) {
    auto impl = std::make_unique<Impl>();
    const std::string chosen = device.empty() ? defaultDeviceName() : device;
    if (chosen == "cuda" && !cudaAvailable()) throw std::invalid_argument("CUDA was requested but LibTorch has no CUDA device");
    if (chosen != "cuda" && chosen != "cpu") throw std::invalid_argument("unknown device '" + chosen + "' (use cpu or cuda)");
    impl->device = chosen == "cuda" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    impl->model = loadGlow(path);
    impl->model.glow->to(impl->device);
    impl->layout = impl->model.glow->layout();
    if (impl->model.card.hasCalibration()) {
        impl->lo = toVector(impl->model.calibration_lo);
        impl->hi = toVector(impl->model.calibration_hi);
    }
    return FlowModel(std::move(impl));
}

const ModelCard& FlowModel::card() const { return impl_->model.card; }
const LatentLayout& FlowModel::layout() const { return impl_->layout; }
std::string FlowModel::device() const { return impl_->device.is_cuda() ? "cuda" : "cpu"; }
const std::vector<float>& FlowModel::calibrationLo() const { return impl_->lo; }
const std::vector<float>& FlowModel::calibrationHi() const { return impl_->hi; }

std::vector<float> FlowModel::prepare(const Image& image) const {
    return fitImage(image, card().config.image_size, card().fit);
}

std::vector<float> FlowModel::encode(const std::vector<float>& pixels, const AttributeValues& attributes) const {
    return encodeBatch(pixels, {attributes});
}

std::vector<float> FlowModel::encodeBatch(const std::vector<float>& pixels, const std::vector<AttributeValues>& attributes) const {
    const auto& config = card().config;
    const auto batch = static_cast<int64_t>(attributes.size());
    std::lock_guard<std::mutex> lock(impl_->mutex);
    if (!impl_->device.is_cuda()) {
        Impl::check(pixels, batch, config.latentDim(), "image");
        return impl_->encodeOnCpu(pixels, attributes);
    }
    c10::InferenceMode inference;
    const auto p = impl_->input(pixels, batch, config.latentDim(), "image").view({batch, 1, config.image_size, config.image_size});
    return toVector(impl_->model.glow->encode(toModelSpace(p, config.n_bins), impl_->conditions(attributes)).u);
}

std::vector<float> FlowModel::decode(const std::vector<float>& u, const AttributeValues& attributes) const {
    return decodeBatch(u, {attributes});
}

std::vector<float> FlowModel::decodeBatch(const std::vector<float>& u, const std::vector<AttributeValues>& attributes) const {
    const auto& config = card().config;
    const auto batch = static_cast<int64_t>(attributes.size());
    std::lock_guard<std::mutex> lock(impl_->mutex);
    if (!impl_->device.is_cuda()) {
        Impl::check(u, batch, config.latentDim(), "latent");
        return impl_->decodeOnCpu(u, attributes);
    }
    c10::InferenceMode inference;
    const auto latent = impl_->input(u, batch, config.latentDim(), "latent");
    const auto x = impl_->model.glow->decode(latent, impl_->conditions(attributes));
    return toVector(fromModelSpace(x, config.n_bins).clamp(0.0, 1.0));
}

std::int64_t FlowModel::executedDecodeMultiplyAdds() const {
    if (impl_->device.is_cuda()) return decodeMultiplyAdds(card().config);
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->cpuGlow().multiplyAdds();
}

void setModelNotes(const std::filesystem::path& path, const std::string& notes) {
    auto model = loadGlow(path);
    model.card.notes = notes;
    saveGlow(path, model);
}

}  // namespace dpflow
