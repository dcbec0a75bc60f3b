#include "eval/binary_classifier.h"

#include "eval/conv_backbone.h"
#include "eval/module_weights.h"
#include "eval/roc_auc.h"
#include "eval/training_batches.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <numeric>
#include <random>
#include <stdexcept>

namespace dpflow {
namespace {

const char* const kCardKey = "classifier_card";

class ClassifierNetImpl : public torch::nn::Module {
public:
    ClassifierNetImpl(int image_size, int base_channels)
        : backbone(register_module("backbone", ConvBackbone(image_size, base_channels))),
          head(register_module("head", torch::nn::Linear(backbone->featureCount(), 1))) {}

    torch::Tensor forward(const torch::Tensor& x) { return head->forward(backbone->forward(x)).squeeze(1); }

    ConvBackbone backbone;
    torch::nn::Linear head;
};
TORCH_MODULE(ClassifierNet);

std::vector<const Image*> pointersTo(const std::vector<Image>& images) {
    std::vector<const Image*> pointers;
    pointers.reserve(images.size());
    for (const auto& image : images) pointers.push_back(&image);
    return pointers;
}

}  // namespace

struct BinaryClassifier::State {
    ClassifierCard card;
    ClassifierNet net{nullptr};

    torch::Tensor normalise(const torch::Tensor& batch) const { return (batch - card.input_mean) / card.input_std; }

    std::vector<double> predict(const std::vector<const Image*>& images) {
        torch::NoGradGuard no_grad;
        net->eval();
        std::vector<double> scores;
        scores.reserve(images.size());
        constexpr size_t kBatch = 256;
        for (size_t start = 0; start < images.size(); start += kBatch) {
            const std::vector<const Image*> part(images.begin() + start,
                                                 images.begin() + std::min(images.size(), start + kBatch));
            const auto probabilities = torch::sigmoid(net->forward(normalise(imagesToTensor(part, card.image_size))))
                                           .to(torch::kFloat64).contiguous();
            scores.insert(scores.end(), probabilities.data_ptr<double>(),
                          probabilities.data_ptr<double>() + probabilities.numel());
        }
        return scores;
    }
};

BinaryClassifier::BinaryClassifier(std::shared_ptr<State> state) : state_(std::move(state)) {}

const ClassifierCard& BinaryClassifier::card() const { return state_->card; }
ClassifierCard& BinaryClassifier::card() { return state_->card; }

std::vector<double> BinaryClassifier::predict(const std::vector<Image>& images) const {
    return state_->predict(pointersTo(images));
}

BinaryClassifier BinaryClassifier::train(const LabelledImages& train, const LabelledImages& val,
                                         const ClassifierTrainOptions& options, std::vector<ClassifierEpoch>* history) {
    if (train.images.empty()) throw std::invalid_argument("classifier training: the training set is empty");
    if (train.images.size() != train.labels.size() || val.images.size() != val.labels.size())
        throw std::invalid_argument("classifier training: images and labels differ in number");
    if (val.positives() < 2 || val.negatives() < 2)
        throw std::invalid_argument(fmt::format("classifier training: the validation set needs at least two cases of each "
                                                "class to select an epoch (has {} positive, {} negative)",
                                                val.positives(), val.negatives()));
    if (options.epochs < 1 || options.batch_size < 1 || options.learning_rate <= 0.0)
        throw std::invalid_argument("classifier training: epochs, batch size and learning rate must be positive");

    torch::manual_seed(options.seed);
    auto state = std::make_shared<State>();
    auto& card = state->card;
    card.image_size = options.image_size;
    card.base_channels = options.base_channels;
    card.stage_channels = backboneStageChannels(options.image_size, options.base_channels);
    state->net = ClassifierNet(options.image_size, options.base_channels);

    const auto inputs = imagesToTensor(pointersTo(train.images), options.image_size);
    card.input_mean = inputs.mean().item<float>();
    card.input_std = std::max(inputs.std().item<float>(), 1e-3f);
    const auto targets = torch::tensor(std::vector<float>(train.labels.begin(), train.labels.end()));
    const int max_shift = options.max_shift >= 0 ? options.max_shift : options.image_size / 14;
    card.augmentation = fmt::format("random shift up to {} px (edges replicated), brightness and contrast jitter +-{}; "
                                    "no flips or rotations",
                                    max_shift, options.intensity_jitter);
    card.seed = options.seed;
    const int last_epoch = options.stop_after_epoch > 0 ? std::min(options.stop_after_epoch, options.epochs) : options.epochs;
    card.epochs = last_epoch;
    card.training_images = static_cast<std::int64_t>(train.images.size());
    card.training_positives = static_cast<std::int64_t>(train.positives());

    torch::optim::Adam optimizer(state->net->parameters(),
                                 torch::optim::AdamOptions(options.learning_rate).weight_decay(options.weight_decay));
    const auto n = static_cast<int64_t>(train.images.size());
    const int64_t steps_per_epoch = (n + options.batch_size - 1) / options.batch_size;
    const int64_t total_steps = steps_per_epoch * options.epochs;
    std::mt19937_64 shuffle_rng(options.seed);
    std::vector<int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    const auto val_images = pointersTo(val.images);

    double best_auc = -1.0;
    std::vector<torch::Tensor> best_weights;
    const auto start = std::chrono::steady_clock::now();
    int64_t step = 0;
    for (int epoch = 1; epoch <= last_epoch; ++epoch) {
        state->net->train();
        std::shuffle(order.begin(), order.end(), shuffle_rng);
        double loss_sum = 0.0;
        for (int64_t first = 0; first < n; first += options.batch_size, ++step) {
            const double lr = 0.5 * options.learning_rate * (1.0 + std::cos(M_PI * step / total_steps));
            for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
            const auto index = torch::tensor(std::vector<int64_t>(order.begin() + first,
                                                                  order.begin() + std::min(n, first + options.batch_size)));
            const auto batch = augmentBatch(inputs.index_select(0, index), max_shift, options.intensity_jitter);
            const auto loss = torch::binary_cross_entropy_with_logits(state->net->forward(state->normalise(batch)),
                                                                      targets.index_select(0, index));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            loss_sum += loss.item<double>();
        }
        const double val_auc = delongAuc(state->predict(val_images), val.labels).auc;
        if (val_auc > best_auc || (!options.keep_best_epoch && epoch == last_epoch)) {
            best_auc = val_auc;
            card.selected_epoch = epoch;
            best_weights.clear();
            torch::NoGradGuard no_grad;
            for (const auto& p : state->net->parameters()) best_weights.push_back(p.detach().clone());
            for (const auto& b : state->net->buffers()) best_weights.push_back(b.detach().clone());
        }
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const ClassifierEpoch record{epoch, options.epochs, loss_sum / static_cast<double>(steps_per_epoch), val_auc,
                                     elapsed, elapsed / epoch * (last_epoch - epoch)};
        if (history) history->push_back(record);
        if (options.on_epoch) options.on_epoch(record);
    }
    {
        torch::NoGradGuard no_grad;
        size_t i = 0;
        for (auto& p : state->net->parameters()) p.copy_(best_weights[i++]);
        for (auto& b : state->net->buffers()) b.copy_(best_weights[i++]);
    }
    state->net->eval();
    card.val_auc = best_auc;
    return BinaryClassifier(state);
}

SafetensorsFile BinaryClassifier::toSafetensors(SafetensorsDtype dtype) const {
    auto file = moduleToSafetensors(*state_->net, dtype);
    auto card = state_->card;
    card.storage_dtype = dtypeName(dtype);
    file.metadata[kCardKey] = classifierCardToJson(card).dump();
    return file;
}

BinaryClassifier BinaryClassifier::fromSafetensors(const SafetensorsFile& file, const std::string& source) {
    const auto found = file.metadata.find(kCardKey);
    if (found == file.metadata.end())
        throw SafetensorsError(source + ": no classifier_card in the metadata (not a dpflow classifier)");
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(found->second);
    } catch (const nlohmann::json::exception& e) {
        throw SafetensorsError(source + ": the classifier card is not valid JSON (" + e.what() + ")");
    }
    auto state = std::make_shared<State>();
    state->card = classifierCardFromJson(json);
    try {
        state->net = ClassifierNet(state->card.image_size, state->card.base_channels);
    } catch (const std::invalid_argument& e) {
        throw SafetensorsError(source + ": " + e.what());
    }
    loadModuleFromSafetensors(*state->net, file, source);
    state->net->eval();
    return BinaryClassifier(state);
}

BinaryClassifier BinaryClassifier::load(const std::filesystem::path& path) {
    return fromSafetensors(readSafetensors(path), path.string());
}

void BinaryClassifier::save(const std::filesystem::path& path, SafetensorsDtype dtype) const {
    const auto file = toSafetensors(dtype);
    writeSafetensors(path, file);
    const auto card_path = classifierCardPath(path);
    std::ofstream out(card_path);
    out << nlohmann::json::parse(file.metadata.at(kCardKey)).dump(2) << '\n';
    if (!out) throw SafetensorsError("cannot write the classifier card " + card_path.string());
}

std::filesystem::path classifierCardPath(const std::filesystem::path& weights) {
    return std::filesystem::path(weights).replace_extension(".json");
}

}  // namespace dpflow
