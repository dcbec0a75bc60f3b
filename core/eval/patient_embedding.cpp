#include "eval/patient_embedding.h"

#include "flow/json_numbers.h"

#include "eval/conv_backbone.h"
#include "eval/module_weights.h"
#include "eval/training_batches.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <stdexcept>

namespace dpflow {
namespace {

const char* const kSettingsKey = "patient_embedding";

class EmbeddingNetImpl : public torch::nn::Module {
public:
    EmbeddingNetImpl(int image_size, int base_channels, int dim)
        : backbone(register_module("backbone", ConvBackbone(image_size, base_channels))),
          projection(register_module("projection", torch::nn::Linear(backbone->featureCount(), dim))) {}

    torch::Tensor forward(const torch::Tensor& x) {
        return torch::nn::functional::normalize(projection->forward(backbone->forward(x)),
                                                torch::nn::functional::NormalizeFuncOptions().dim(1));
    }

    ConvBackbone backbone;
    torch::nn::Linear projection;
};
TORCH_MODULE(EmbeddingNet);

struct Settings {
    int image_size = 64;
    int base_channels = 16;
    int embedding_dim = 64;
    float input_mean = 0.5f;
    float input_std = 0.25f;
};

nlohmann::json settingsToJson(const Settings& s, const EmbeddingTrainOptions& options) {
    return {{"format", "dpflow-patient-embedding"},
            {"version", 1},
            {"image_size", s.image_size},
            {"base_channels", s.base_channels},
            {"embedding_dim", s.embedding_dim},
            {"input_mean", s.input_mean},
            {"input_std", s.input_std},
            {"training", {{"data", options.training_data},
                          {"steps", options.steps},
                          {"patients_per_batch", options.patients_per_batch},
                          {"temperature", options.temperature},
                          {"learning_rate", options.learning_rate},
                          {"cross_acquisition_share", options.cross_acquisition_share},
                          {"max_shift", options.max_shift >= 0 ? options.max_shift : options.image_size / 14},
                          {"intensity_jitter", options.intensity_jitter},
                          {"seed", options.seed},
                          {"loss", "InfoNCE (NT-Xent) over two views per patient"}}}};
}

}  // namespace

struct PatientEmbedding::State {
    Settings settings;
    nlohmann::json metadata;
    EmbeddingNet net{nullptr};

    torch::Tensor forward(const torch::Tensor& batch) {
        return net->forward((batch - settings.input_mean) / settings.input_std);
    }
};

PatientEmbedding::PatientEmbedding(std::shared_ptr<State> state) : state_(std::move(state)) {}

int PatientEmbedding::imageSize() const { return state_->settings.image_size; }

PatientEmbedding PatientEmbedding::train(const std::vector<Image>& images, const std::vector<std::string>& patient_ids,
                                         const EmbeddingTrainOptions& options, std::vector<double>* loss_history) {
    if (images.size() != patient_ids.size())
        throw std::invalid_argument("embedding training: images and patient ids differ in number");
    if (options.steps < 1 || options.patients_per_batch < 2 || options.embedding_dim < 1 || options.temperature <= 0.0 ||
        options.learning_rate <= 0.0)
        throw std::invalid_argument("embedding training: steps, embedding size, temperature and learning rate must be "
                                    "positive and a batch needs at least two patients");
    std::map<std::string, std::vector<int64_t>> by_patient;
    for (size_t i = 0; i < images.size(); ++i) by_patient[patient_ids[i]].push_back(static_cast<int64_t>(i));
    if (by_patient.size() < 2) throw std::invalid_argument("embedding training: needs images of at least two patients");
    std::vector<std::vector<int64_t>> groups;
    for (auto& [id, rows] : by_patient) groups.push_back(rows);
    if (options.cross_acquisition_share > 1.0)
        throw std::invalid_argument("embedding training: the cross-acquisition share is a fraction (at most 1)");

    torch::manual_seed(options.seed);
    auto state = std::make_shared<State>();
    auto& s = state->settings;
    s.image_size = options.image_size;
    s.base_channels = options.base_channels;
    s.embedding_dim = options.embedding_dim;
    std::vector<const Image*> pointers;
    for (const auto& image : images) pointers.push_back(&image);
    const auto inputs = imagesToTensor(pointers, s.image_size);
    s.input_mean = inputs.mean().item<float>();
    s.input_std = std::max(inputs.std().item<float>(), 1e-3f);
    state->net = EmbeddingNet(s.image_size, s.base_channels, s.embedding_dim);
    state->metadata = settingsToJson(s, options);

    const int max_shift = options.max_shift >= 0 ? options.max_shift : options.image_size / 14;
    const auto batch_patients = std::min<size_t>(options.patients_per_batch, groups.size());
    torch::optim::Adam optimizer(state->net->parameters(), torch::optim::AdamOptions(options.learning_rate));
    std::mt19937_64 rng(options.seed);
    // Patients with several images (cross-acquisition pairs) and with one (self-supervised
    // pairs), drawn in the asked proportion when both kinds exist.
    std::vector<size_t> several, single;
    for (size_t g = 0; g < groups.size(); ++g) (groups[g].size() > 1 ? several : single).push_back(g);
    size_t from_several = 0;
    if (options.cross_acquisition_share >= 0.0 && !several.empty() && !single.empty()) {
        from_several = std::min(several.size(), static_cast<size_t>(std::lround(options.cross_acquisition_share * batch_patients)));
        from_several = std::max(from_several, batch_patients - std::min(single.size(), batch_patients));
    }
    std::vector<size_t> order(groups.size());
    std::iota(order.begin(), order.end(), 0);
    const auto drawBatch = [&]() {
        std::vector<size_t> batch;
        if (options.cross_acquisition_share < 0.0 || several.empty() || single.empty()) {
            std::shuffle(order.begin(), order.end(), rng);
            batch.assign(order.begin(), order.begin() + batch_patients);
            return batch;
        }
        std::shuffle(several.begin(), several.end(), rng);
        std::shuffle(single.begin(), single.end(), rng);
        batch.assign(several.begin(), several.begin() + from_several);
        batch.insert(batch.end(), single.begin(), single.begin() + (batch_patients - from_several));
        return batch;
    };
    const auto start = std::chrono::steady_clock::now();
    state->net->train();
    for (int step = 1; step <= options.steps; ++step) {
        std::vector<int64_t> first, second;
        for (const size_t patient : drawBatch()) {
            auto rows = groups[patient];
            std::shuffle(rows.begin(), rows.end(), rng);
            first.push_back(rows[0]);
            second.push_back(rows.size() > 1 ? rows[1] : rows[0]);
        }
        const auto view = [&](const std::vector<int64_t>& rows) {
            return augmentBatch(inputs.index_select(0, torch::tensor(rows)), max_shift, options.intensity_jitter);
        };
        const auto z = state->forward(torch::cat({view(first), view(second)}));
        const auto n = static_cast<int64_t>(batch_patients);
        const auto logits = (z.matmul(z.t()) / options.temperature)
                                .masked_fill(torch::eye(2 * n, torch::kBool), -1e9);
        const auto targets = torch::cat({torch::arange(n, 2 * n), torch::arange(0, n)});
        const auto loss = torch::nn::functional::cross_entropy(logits, targets);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (loss_history) loss_history->push_back(loss.item<double>());
        if (options.on_step)
            options.on_step({step, options.steps, loss.item<double>(), elapsed, elapsed / step * (options.steps - step)});
    }
    state->net->eval();
    return PatientEmbedding(state);
}

std::vector<std::vector<float>> PatientEmbedding::embed(const std::vector<Image>& images) const {
    torch::NoGradGuard no_grad;
    state_->net->eval();
    std::vector<std::vector<float>> result;
    constexpr size_t kBatch = 128;
    for (size_t first = 0; first < images.size(); first += kBatch) {
        std::vector<const Image*> part;
        for (size_t i = first; i < std::min(images.size(), first + kBatch); ++i) part.push_back(&images[i]);
        const auto z = state_->forward(imagesToTensor(part, imageSize())).contiguous();
        for (int64_t i = 0; i < z.size(0); ++i)
            result.emplace_back(z[i].data_ptr<float>(), z[i].data_ptr<float>() + z.size(1));
    }
    return result;
}

void PatientEmbedding::save(const std::filesystem::path& path, SafetensorsDtype dtype) const {
    auto file = moduleToSafetensors(*state_->net, dtype);
    file.metadata[kSettingsKey] = state_->metadata.dump();
    writeSafetensors(path, file);
}

PatientEmbedding PatientEmbedding::load(const std::filesystem::path& path) {
    const auto source = path.string();
    const auto file = readSafetensors(path);
    const auto found = file.metadata.find(kSettingsKey);
    if (found == file.metadata.end())
        throw SafetensorsError(source + ": no patient_embedding settings in the metadata (not an embedding model)");
    auto state = std::make_shared<State>();
    try {
        state->metadata = nlohmann::json::parse(found->second);
        auto& s = state->settings;
        s.image_size = integerAt<int>(state->metadata, "image_size");
        s.base_channels = integerAt<int>(state->metadata, "base_channels");
        s.embedding_dim = integerAt<int>(state->metadata, "embedding_dim");
        s.input_mean = state->metadata.at("input_mean").get<float>();
        s.input_std = state->metadata.at("input_std").get<float>();
        state->net = EmbeddingNet(s.image_size, s.base_channels, s.embedding_dim);
    } catch (const std::exception& e) {
        throw SafetensorsError(source + ": malformed embedding settings (" + e.what() + ")");
    }
    loadModuleFromSafetensors(*state->net, file, source);
    state->net->eval();
    return PatientEmbedding(state);
}

}  // namespace dpflow
