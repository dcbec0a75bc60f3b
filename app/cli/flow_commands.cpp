#include "commands.h"

#include "attribute_arguments.h"

#include "flow/decode_benchmark.h"
#include "flow/decode_cost.h"
#include "flow/flow_model.h"
#include "flow/flow_trainer.h"
#include "flow/roundtrip.h"
#include "flow/runtime.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace dpflow::cli {
namespace {

std::string duration(double seconds) {
    const auto s = static_cast<long>(std::lround(seconds));
    return s >= 3600 ? fmt::format("{}h{:02}m", s / 3600, s / 60 % 60) : fmt::format("{}m{:02}s", s / 60, s % 60);
}

void printProgress(const TrainProgress& p) {
    if (!p.message.empty()) {
        std::cout << p.message << std::endl;
        return;
    }
    std::cout << fmt::format("epoch {}/{}  step {}/{}  bits/dim {:.4f}  lr {:.2e}  elapsed {}  ETA {}", p.epoch, p.epochs,
                             p.step, p.total_steps, p.bits_per_dim, p.learning_rate, duration(p.elapsed_seconds),
                             duration(p.eta_seconds))
              << std::endl;
}

void registerTrain(CLI::App& app, int& exit_code) {
    auto* command = app.add_subcommand("train", "Train a conditional multi-scale GLOW on the images of a manifest and "
                                                "write MODEL.safetensors with its card MODEL.json (bits/dim, latent calibration).");
    auto options = std::make_shared<TrainOptions>();
    auto manifest = std::make_shared<std::string>();
    auto output = std::make_shared<std::string>();
    auto fit = std::make_shared<std::string>("resize");
    auto bits = std::make_shared<int>(8);
    command->add_option("--manifest", *manifest, "CSV with file, split and attribute columns")->required()->check(CLI::ExistingFile);
    command->add_option("--out", *output, "Output weights file (.safetensors)")->required();
    command->add_option("--attributes", options->attributes, "Conditioning columns, comma-separated (e.g. label)")->delimiter(',');
    command->add_option("--train-split", options->train_split, "Split used for training and calibration")->capture_default_str();
    command->add_option("--heldout-split", options->heldout_split, "Split for held-out bits/dim ('' for none)")->capture_default_str();
    command->add_option("--size", options->architecture.image_size, "Model image size in pixels")->capture_default_str();
    command->add_option("--fit", *fit, "How other sizes are brought to --size")->check(CLI::IsMember({"pad", "resize", "square"}))->capture_default_str();
    command->add_option("--levels", options->architecture.levels, "Multi-scale levels L")->capture_default_str();
    command->add_option("--steps", options->architecture.steps, "Flow steps K per level")->capture_default_str();
    command->add_option("--hidden", options->architecture.hidden_channels, "Hidden channels of the coupling networks")->capture_default_str();
    command->add_option("--coupling-min-scale", options->architecture.coupling_min_scale,
                        "Lower bound m of every coupling scale, m + (1-m) sigmoid(.): the inverse amplifies at most 1/m "
                        "(0: GLOW's unbounded scale; 1: additive couplings)")
        ->check(CLI::Range(0.0, 1.0))->capture_default_str();
    command->add_option("--pixel-logit", options->architecture.pixel_logit_alpha,
                        "The flow's first layer: 0 none; alpha in (0, 0.5): the flow sees logit(alpha + (1-2 alpha) p), "
                        "so small latent shifts cannot move near-black or near-white pixels by whole levels (RealNVP)")
        ->check(CLI::Range(0.0, 0.499))->capture_default_str();
    command->add_option("--bits", *bits, "Bits per pixel modelled (n_bins = 2^bits)")->check(CLI::Range(1, 8))->capture_default_str();
    command->add_option("--epochs", options->epochs, "Training epochs")->check(CLI::NonNegativeNumber)->capture_default_str();
    command->add_option("--batch", options->batch_size, "Batch size")->check(CLI::PositiveNumber)->capture_default_str();
    command->add_option("--lr", options->learning_rate, "Adam learning rate after warm-up")->check(CLI::PositiveNumber)->capture_default_str();
    command->add_option("--warmup", options->warmup_steps, "Linear warm-up steps")->check(CLI::NonNegativeNumber)->capture_default_str();
    command->add_option("--clip", options->clip_grad_norm, "Gradient norm limit (0: off)")->check(CLI::NonNegativeNumber)->capture_default_str();
    command->add_option("--weight-decay", options->weight_decay, "Adam L2 weight penalty (0: none)")->check(CLI::NonNegativeNumber)->capture_default_str();
    command->add_option("--augment-shift", options->augmentation.max_shift_pixels,
                        "Random translation of each training image, up to this many model pixels (0: off)")
        ->check(CLI::NonNegativeNumber)->capture_default_str();
    command->add_option("--augment-scale", options->augmentation.max_scale, "Random zoom in [1-v, 1+v] (0: off)")
        ->check(CLI::Range(0.0, 0.5))->capture_default_str();
    command->add_option("--augment-contrast", options->augmentation.max_contrast,
                        "Random contrast in [1-v, 1+v] and brightness within +-v/2 (0: off); never a flip")
        ->check(CLI::Range(0.0, 0.5))->capture_default_str();
    command->add_option("--heldout-every", options->heldout_every, "Epochs between held-out bits/dim lines (0: at the end only)")
        ->check(CLI::NonNegativeNumber)->capture_default_str();
    command->add_option("--seed", options->seed, "Seed for initialisation, shuffling and dequantisation")->capture_default_str();
    command->add_flag("--resume", options->resume, "Continue from the checkpoint beside --out");
    command->add_option("--init-from", options->init_from,
                        "Start from this model's weights, not a random initialisation: the same architecture and attributes, "
                        "--pixel-logit and --coupling-min-scale may differ (recorded in the card)")
        ->check(CLI::ExistingFile);  // with --resume: refused by trainFlow
    command->add_option("--notes", options->notes, "Free text for the model card: hardware, resumed runs, design budget");
    command->add_option("--checkpoint-every", options->checkpoint_every, "Epochs between checkpoints")->check(CLI::PositiveNumber)->capture_default_str();
    command->add_option("--max-images", options->max_images, "Use only the first N images of each split (0: all)")->capture_default_str();
    command->add_option("--threads", options->threads, "CPU threads (0: automatic, half the cores, 1 to 4)")->capture_default_str();
    command->add_option("--progress-every", options->progress_every, "Steps between progress lines")->check(CLI::PositiveNumber)->capture_default_str();
    command->add_option("--time-limit", options->time_limit_minutes,
                        "Minutes of optimisation at most (0: none); stops at an epoch boundary, checkpointed")
        ->check(CLI::NonNegativeNumber)->capture_default_str();
    command->callback([=, &exit_code] {
        options->manifest = *manifest;
        options->output = *output;
        options->fit = parseFitMode(*fit);
        options->architecture.n_bins = 1 << *bits;
        options->on_progress = printProgress;
        options->command_line = commandLine(*command, "dpflow train");
        const auto result = trainFlow(*options);
        const auto& card = result.card;
        std::cout << fmt::format("trained {} epoch(s) in {}{}\n", result.epoch_bits_per_dim.size(),
                                 duration(result.training_seconds),
                                 result.stopped_by_time_limit ? fmt::format(" (stopped by --time-limit at epoch {} of {})",
                                                                            card.epochs, options->epochs)
                                                              : "");
        std::cout << fmt::format("wrote {} (card {})\n", options->output.string(),
                                 std::filesystem::path(options->output).replace_extension(".json").string());
        std::cout << fmt::format("bits/dim: train {:.4f}", card.bits_per_dim_train.value_or(NAN));
        if (card.bits_per_dim_heldout) std::cout << fmt::format(", {} {:.4f}", card.heldout_split, *card.bits_per_dim_heldout);
        std::cout << '\n';
        exit_code = 0;
    });
}

void registerModelInfo(CLI::App& app, int& exit_code) {
    auto* command = app.add_subcommand("model-info", "Check a flow model file and print its model card (JSON); "
                                                     "optionally time decoding at batch 1.");
    auto path = std::make_shared<std::string>();
    auto bench = std::make_shared<int>(0);
    auto threads = std::make_shared<int>(0);
    auto device = std::make_shared<std::string>();
    command->add_option("model", *path, "Weights file (.safetensors)")->required()->check(CLI::ExistingFile);
    command->add_option("--bench", *bench, "Time this many batch-1 decodes and print the median")->check(CLI::NonNegativeNumber);
    command->add_option("--threads", *threads, "CPU threads (0: automatic, half the cores, 1 to 4)");
    command->add_option("--device", *device, "cpu or cuda (default: cuda when available)");
    auto notes = std::make_shared<std::string>();
    command->add_option("--set-notes", *notes, "Replace the card's notes (where and how it was trained), keeping the weights");
    command->callback([=, &exit_code] {
        configureThreads(*threads);
        if (command->count("--set-notes")) setModelNotes(*path, *notes);
        const auto model = FlowModel::load(*path, *device);
        std::cout << modelCardToJson(model.card()).dump(2) << '\n';
        if (*bench > 0) {
            const auto t = measureDecodeLatency(model, *bench);
            std::cout << fmt::format("decode batch 1 on {}: median {:.3f} ms, min {:.3f} ms, max {:.3f} ms over {} runs\n",
                                     model.device(), t.median_ms, t.min_ms, t.max_ms, t.runs);
            const double flops = 2.0 * static_cast<double>(decodeMultiplyAdds(model.card().config));
            std::cout << fmt::format("decode work: {:.3f} GFLOP ({:.1f} M multiply-adds); at the fastest run {:.2f} GFLOP/s, "
                                     "at the median {:.2f} GFLOP/s\n",
                                     flops / 1e9, flops / 2e6, flops / 1e6 / t.min_ms, flops / 1e6 / t.median_ms);
            const double executed = 2.0 * static_cast<double>(model.executedDecodeMultiplyAdds());
            std::cout << fmt::format("executed on {}: {:.3f} GFLOP ({:.1f} M multiply-adds); at the fastest run {:.2f} GFLOP/s, "
                                     "at the median {:.2f} GFLOP/s\n",
                                     model.device(), executed / 1e9, executed / 2e6, executed / 1e6 / t.min_ms,
                                     executed / 1e6 / t.median_ms);
        }
        exit_code = 0;
    });
}

void registerRoundtrip(CLI::App& app, int& exit_code) {
    auto* command = app.add_subcommand("roundtrip", "Encode then decode images with a flow model and print the max and "
                                                    "mean absolute reconstruction error (display units, [0,1]).");
    auto path = std::make_shared<std::string>();
    auto images = std::make_shared<std::vector<std::string>>();
    auto attributes = std::make_shared<std::vector<std::string>>();
    auto threads = std::make_shared<int>(0);
    auto save = std::make_shared<std::string>();
    command->add_option("model", *path, "Weights file (.safetensors)")->required()->check(CLI::ExistingFile);
    command->add_option("--save", *save, "Also write inputs, latents and reconstructions as safetensors (for cross-checks)");
    auto manifest = std::make_shared<std::string>();
    auto split = std::make_shared<std::string>("test");
    auto max_images = std::make_shared<std::size_t>(0);
    auto* files = command->add_option("images", *images, "PNG or DICOM files");
    auto* attr = command->add_option("--attr", *attributes, "Attribute value NAME=VALUE for the files (repeat for each attribute)");
    auto* from_manifest = command->add_option("--manifest", *manifest, "Check the images of a manifest split instead, each under its own attribute columns")
                              ->check(CLI::ExistingFile)->excludes(files)->excludes(attr);
    command->add_option("--split", *split, "Split of --manifest")->needs(from_manifest)->capture_default_str();
    command->add_option("--max-images", *max_images, "First N images of the split (0: all)")->needs(from_manifest);
    from_manifest->excludes(command->get_option("--save"));
    command->add_option("--threads", *threads, "CPU threads (0: automatic, half the cores, 1 to 4)");
    command->callback([=, &exit_code] {
        configureThreads(*threads);
        const auto model = FlowModel::load(*path);
        const auto values = parseAttributeValues(*attributes, "--attr");
        std::vector<RoundtripInput> inputs;
        if (!manifest->empty()) {
            inputs = roundtripInputsFromManifest(model, *manifest, *split, *max_images);
            if (inputs.empty()) throw std::invalid_argument(*manifest + ": no rows in split '" + *split + "'");
        } else {
            if (images->empty()) throw CLI::ValidationError("images", "give image files or --manifest");
            for (const auto& file : *images) inputs.push_back({file, values});
        }
        std::vector<RoundtripRecord> records;
        bool failed = false;
        for (const auto& input : inputs) {
            try {
                records.push_back(roundtripImage(model, input.file, input.attributes));
                std::cout << fmt::format("{}: max {:.3e} mean {:.3e}\n", input.file.string(), records.back().max_error,
                                         records.back().mean_error);
            } catch (const std::exception& e) {
                std::cerr << "dpflow: " << input.file.string() << ": " << e.what() << '\n';
                failed = true;
            }
        }
        if (!records.empty()) {
            double overall_max = 0.0, mean_sum = 0.0;
            for (const auto& r : records) {
                overall_max = std::max(overall_max, r.max_error);
                mean_sum += r.mean_error;
            }
            std::cout << fmt::format("overall: max {:.3e} mean {:.3e}\n", overall_max, mean_sum / static_cast<double>(records.size()));
        }
        if (!save->empty()) saveRoundtripRecords(*save, model, records, values);
        exit_code = failed ? 1 : 0;
    });
}

}  // namespace

void registerFlowCommands(CLI::App& app, int& exit_code) {
    registerTrain(app, exit_code);
    registerModelInfo(app, exit_code);
    registerRoundtrip(app, exit_code);
}

}  // namespace dpflow::cli
