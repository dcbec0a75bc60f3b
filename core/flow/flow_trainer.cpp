#include "flow/flow_trainer.h"

#include "flow/dataset_statistics.h"
#include "flow/freed_memory.h"
#include "flow/model_io.h"
#include "flow/model_space.h"
#include "flow/runtime.h"
#include "flow/training_augmentation.h"
#include "flow/training_data.h"
#include "image/sha256.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>

namespace dpflow {
namespace {

std::filesystem::path optimizerPath(const std::filesystem::path& checkpoint) {
    auto path = checkpoint;
    return path.replace_extension(".optim.pt");
}

std::vector<size_t> firstRows(std::vector<size_t> rows, int64_t max_images) {
    if (max_images > 0 && rows.size() > static_cast<size_t>(max_images)) rows.resize(static_cast<size_t>(max_images));
    return rows;
}

// The per-epoch generator makes shuffling and dequantisation noise a function of (seed, epoch)
// only, so a run resumed at an epoch boundary continues exactly as an uninterrupted one.
at::Generator epochGenerator(uint64_t seed, int epoch) {
    return at::detail::createCPUGenerator(seed * 1000003ull + static_cast<uint64_t>(epoch) + 1);
}

void writeCheckpoint(const std::filesystem::path& path, Glow& glow, const ModelCard& card,
                     torch::optim::Optimizer& optimizer, int epoch, int64_t step) {
    saveGlow(path, StoredGlow{glow, card, {}, {}}, false,
             {{"checkpoint_epoch", std::to_string(epoch)}, {"checkpoint_step", std::to_string(step)}});
    const auto optim = optimizerPath(path);
    auto partial = optim;
    partial += ".partial";
    torch::save(optimizer, partial.string());
    std::filesystem::rename(partial, optim);
}

std::string describeData(const TrainOptions& o, int64_t images) {
    std::string text = fmt::format("{} (split '{}', {} images", o.manifest.string(), o.train_split, images);
    if (!o.attributes.empty()) {
        text += "; conditioned on";
        for (const auto& a : o.attributes) text += " " + a;
    }
    return text + ")";
}

// Fills `glow` (built for `config`) with the weights of the model at `path`, whose architecture
// must be `config`'s apart from the pixel logit layer and the coupling scale bound, neither of which
// changes what weights there are. Returns the card's description of that model.
std::string initialiseFrom(const std::filesystem::path& path, const FlowConfig& config, Glow& glow) {
    const auto stored = loadGlow(path);
    auto comparable = stored.card.config;
    comparable.pixel_logit_alpha = config.pixel_logit_alpha;
    comparable.coupling_min_scale = config.coupling_min_scale;
    if (nlohmann::json(comparable) != nlohmann::json(config)) {
        throw TrainingError(fmt::format("--init-from {}: its architecture {} is not the one requested {}; only --pixel-logit "
                                        "and --coupling-min-scale may differ",
                                        path.string(), nlohmann::json(comparable).dump(), nlohmann::json(config).dump()));
    }
    torch::NoGradGuard no_grad;
    auto source_parameters = stored.glow->named_parameters();
    for (auto& parameter : glow->named_parameters()) parameter.value().copy_(source_parameters[parameter.key()]);
    auto source_buffers = stored.glow->named_buffers();
    for (auto& buffer : glow->named_buffers()) buffer.value().copy_(source_buffers[buffer.key()]);
    return fmt::format("{} (SHA-256 {}, {} epochs)", path.filename().string(), sha256OfFile(path), stored.card.epochs);
}

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

std::filesystem::path checkpointPath(const std::filesystem::path& output) {
    auto path = output;
    return path.replace_extension(".checkpoint.safetensors");
}

TrainResult trainFlow(const TrainOptions& o) {
    configureThreads(o.threads);
    if (o.batch_size < 1 || o.epochs < 0) throw TrainingError("batch size must be >= 1 and epochs >= 0");
    if (o.resume && !o.init_from.empty()) throw TrainingError("--init-from starts a new run; --resume continues one: not both");
    const auto manifest = Manifest::read(o.manifest);
    const auto train_rows = firstRows(manifest.rowsInSplit(o.train_split), o.max_images);
    if (train_rows.empty()) {
        throw TrainingError(o.manifest.string() + ": no rows in split '" + o.train_split + "' to train on");
    }
    const auto heldout_rows = o.heldout_split.empty() ? std::vector<size_t>{}
                                                      : firstRows(manifest.rowsInSplit(o.heldout_split), o.max_images);
    auto report = [&](TrainProgress progress) {
        if (o.on_progress) o.on_progress(progress);
    };

    ModelCard card;
    Glow glow{nullptr};
    int start_epoch = 0;
    int64_t step = 0;
    const auto checkpoint = checkpointPath(o.output);
    if (o.resume) {
        if (!std::filesystem::exists(checkpoint)) {
            throw TrainingError("cannot resume: no checkpoint at " + checkpoint.string());
        }
        const auto file = readSafetensors(checkpoint);
        auto stored = glowFromSafetensors(file, checkpoint.string());
        glow = stored.glow;
        card = stored.card;
        try {
            start_epoch = std::stoi(file.metadata.at("checkpoint_epoch"));
            step = std::stoll(file.metadata.at("checkpoint_step"));
        } catch (const std::exception&) {
            throw TrainingError(checkpoint.string() + ": not a training checkpoint (no epoch/step in its metadata)");
        }
    } else {
        card.config = o.architecture;
        card.config.attributes = attributesFromManifest(manifest, o.attributes);
        try {
            card.config.validate();
        } catch (const std::invalid_argument& e) {
            throw TrainingError(std::string("invalid architecture: ") + e.what());
        }
        card.fit = o.fit;
        torch::manual_seed(o.seed);
        glow = Glow(card.config);
        if (!o.init_from.empty()) card.initialised_from = initialiseFrom(o.init_from, card.config, glow);
    }
    card.seed = o.seed;
    card.training_command = o.command_line;
    if (!o.notes.empty()) card.notes = o.notes;
    card.heldout_split = heldout_rows.empty() ? "" : o.heldout_split;

    const torch::Device device = cudaAvailable() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    glow->to(device);
    const auto data = loadFlowDataset(manifest, train_rows, card.config, card.fit);
    const auto heldout = loadFlowDataset(manifest, heldout_rows, card.config, card.fit);
    card.training_images = data.size();
    card.training_data = describeData(o, data.size());
    card.training_data_sha256 = sha256OfTrainingData(o.manifest, data.files);
    card.training_attribute_counts.clear();
    for (const auto& attribute : card.config.attributes) {
        auto& counts = card.training_attribute_counts[attribute.name];
        for (const auto& value : attribute.values) counts[value] = 0;
        for (const size_t row : train_rows) ++counts[manifest.value(row, attribute.name)];
    }
    const int bins = card.config.n_bins;

    if (!o.resume && o.init_from.empty()) {
        // GLOW's data-dependent ActNorm initialisation, on a larger batch than a training step.
        glow->train();
        torch::NoGradGuard no_grad;
        const auto count = std::min<int64_t>(data.size(), 512);
        auto generator = epochGenerator(o.seed, -1);
        glow->encode(dequantize(data.levels.narrow(0, 0, count), bins, generator).to(device),
                     data.cond.narrow(0, 0, count).to(device));
    }

    torch::optim::Adam optimizer(glow->parameters(), torch::optim::AdamOptions(o.learning_rate).weight_decay(o.weight_decay));
    if (o.resume) {
        try {
            torch::load(optimizer, optimizerPath(checkpoint).string());
        } catch (const c10::Error& e) {
            throw TrainingError(optimizerPath(checkpoint).string() + ": cannot restore the optimiser state (" +
                                e.what_without_backtrace() + ")");
        }
        report({start_epoch, o.epochs, step, 0, 0, 0, 0, 0, fmt::format("resumed after epoch {} (step {})", start_epoch, step)});
    }

    const int64_t steps_per_epoch = (data.size() + o.batch_size - 1) / o.batch_size;
    const int64_t total_steps = steps_per_epoch * o.epochs;
    const int64_t first_step = step;
    const auto started = std::chrono::steady_clock::now();
    TrainResult result;
    for (int epoch = start_epoch; epoch < o.epochs; ++epoch) {
        glow->train();
        auto generator = epochGenerator(o.seed, epoch);
        const auto order = torch::randperm(data.size(), generator, torch::TensorOptions().dtype(torch::kLong));
        double epoch_sum = 0.0, report_sum = 0.0;
        int64_t report_count = 0;
        for (int64_t b = 0; b < steps_per_epoch; ++b) {
            const auto index = order.narrow(0, b * o.batch_size, std::min<int64_t>(o.batch_size, data.size() - b * o.batch_size));
            const auto levels = augmentLevels(data.levels.index_select(0, index), o.augmentation, bins, generator);
            const auto x = dequantize(levels, bins, generator).to(device);
            const auto cond = data.cond.index_select(0, index).to(device);
            const double lr = o.learning_rate * std::min(1.0, static_cast<double>(step + 1) / std::max(1, o.warmup_steps));
            for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);

            const auto loss = glow->bitsPerDim(x, cond).mean();
            const double value = loss.item<double>();
            optimizer.zero_grad();
            loss.backward();
            const double grad_norm = o.clip_grad_norm > 0
                                         ? torch::nn::utils::clip_grad_norm_(glow->parameters(), o.clip_grad_norm)
                                         : 0.0;
            if (!std::isfinite(value) || !std::isfinite(grad_norm)) {
                throw TrainingError(fmt::format(
                    "training stopped: {} became non-finite at epoch {}, step {}. The last checkpoint ({}) holds "
                    "epoch {}; resume it with --resume and a lower --lr (now {}) or a smaller --clip (now {}).",
                    std::isfinite(value) ? "the gradient norm" : "bits/dim", epoch + 1, step + 1, checkpoint.string(),
                    epoch, o.learning_rate, o.clip_grad_norm));
            }
            optimizer.step();
            ++step;
            epoch_sum += value * static_cast<double>(index.size(0));
            report_sum += value;
            ++report_count;
            if (report_count == o.progress_every || b + 1 == steps_per_epoch) {
                const double elapsed = secondsSince(started);
                const double per_step = elapsed / static_cast<double>(step - first_step);
                report({epoch + 1, o.epochs, step, total_steps, report_sum / static_cast<double>(report_count), lr, elapsed,
                        per_step * static_cast<double>(total_steps - step), ""});
                report_sum = 0.0;
                report_count = 0;
            }
        }
        result.epoch_bits_per_dim.push_back(epoch_sum / static_cast<double>(data.size()));
        card.epochs = epoch + 1;
        returnFreedMemoryToSystem();  // bounds the allocator's fragmented growth (freed_memory.h)
        if (o.heldout_every > 0 && heldout.size() > 0 && (epoch + 1) % o.heldout_every == 0) {
            const double value = meanBitsPerDim(glow, heldout, std::max(o.batch_size, 64), o.seed + 2);
            result.heldout_bits_per_dim.emplace_back(epoch + 1, value);
            report({epoch + 1, o.epochs, step, total_steps, 0, 0, 0, 0,
                    fmt::format("epoch {}: bits/dim train {:.4f} (augmented, during the epoch), {} {:.4f}", epoch + 1,
                                result.epoch_bits_per_dim.back(), o.heldout_split, value)});
        }
        result.training_seconds = secondsSince(started);
        const double mean_epoch_seconds = result.training_seconds / static_cast<double>(result.epoch_bits_per_dim.size());
        result.stopped_by_time_limit = o.time_limit_minutes > 0 && epoch + 1 < o.epochs &&
                                       result.training_seconds + mean_epoch_seconds > o.time_limit_minutes * 60.0;
        if ((epoch + 1) % std::max(1, o.checkpoint_every) == 0 || epoch + 1 == o.epochs || result.stopped_by_time_limit) {
            writeCheckpoint(checkpoint, glow, card, optimizer, epoch + 1, step);
            report({epoch + 1, o.epochs, step, total_steps, 0, 0, 0, 0, "checkpoint written: " + checkpoint.string()});
        }
        if (result.stopped_by_time_limit) {
            report({epoch + 1, o.epochs, step, total_steps, 0, 0, 0, 0,
                    fmt::format("time limit: stopping after epoch {} ({:.1f} of {:.1f} minutes used, one more epoch takes "
                                "about {:.1f})",
                                epoch + 1, result.training_seconds / 60.0, o.time_limit_minutes, mean_epoch_seconds / 60.0)});
            break;
        }
    }

    const int eval_batch = std::max(o.batch_size, 64);
    card.bits_per_dim_train = meanBitsPerDim(glow, data, eval_batch, o.seed + 1);
    if (heldout.size() > 0) card.bits_per_dim_heldout = meanBitsPerDim(glow, heldout, eval_batch, o.seed + 2);
    const auto [lo, hi] = latentBounds(glow, data, eval_batch);
    card.calibration_set = fmt::format("training split '{}' of {} ({} images)", o.train_split, o.manifest.string(), data.size());
    card.calibration_images = data.size();
    saveGlow(o.output, StoredGlow{glow, card, lo, hi});
    result.card = card;
    return result;
}

}  // namespace dpflow
