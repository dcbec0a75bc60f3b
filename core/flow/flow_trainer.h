#pragma once

// Maximum-likelihood training of the conditional GLOW from a manifest (`dpflow train`).
// Torch-free interface.

#include "flow/flow_config.h"
#include "flow/model_card.h"
#include "flow/preprocessing.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace dpflow {

/// Thrown when training cannot go on (no images, non-finite loss, unusable checkpoint); the
/// message says what happened and what to try.
class TrainingError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A snapshot for progress display.
struct TrainProgress {
    int epoch = 0;              ///< 1-based epoch in progress
    int epochs = 0;             ///< epochs requested
    int64_t step = 0;           ///< optimiser steps done (over all epochs)
    int64_t total_steps = 0;    ///< optimiser steps for all epochs
    double bits_per_dim = 0.0;  ///< mean training bits/dim since the last report
    double learning_rate = 0.0; ///< current (warmed-up) learning rate
    double elapsed_seconds = 0.0;
    double eta_seconds = 0.0;   ///< estimated time to the end of training
    std::string message;        ///< non-empty for events (checkpoint written, resumed, ...)
};

/// How training images are varied each time they are drawn (see training_augmentation.h): small
/// positioning and exposure changes a real film series shows, never a flip. All zero: off.
struct TrainingAugmentation {
    double max_shift_pixels = 0.0;  ///< translation drawn uniformly in [-v, v] model pixels, each axis
    double max_scale = 0.0;         ///< zoom factor drawn uniformly in [1 - v, 1 + v] about the centre
    double max_contrast = 0.0;      ///< contrast factor in [1 - v, 1 + v], brightness in +-v/2 of the range

    bool enabled() const { return max_shift_pixels > 0 || max_scale > 0 || max_contrast > 0; }
};

/// Everything `dpflow train` can set. Architecture fields other than attributes come from
/// `architecture`; attribute values are collected from the manifest.
struct TrainOptions {
    std::filesystem::path manifest;          ///< CSV with `file`, `split` and attribute columns
    std::vector<std::string> attributes;     ///< conditioning columns (empty: unconditional)
    std::string train_split = "train";       ///< rows used for training and calibration
    std::string heldout_split = "val";       ///< rows for held-out bits/dim (skipped if absent)
    FlowConfig architecture;                 ///< image_size, levels, steps, hidden_channels, n_bins
    FitMode fit = FitMode::Resize;           ///< how images of another size are brought to image_size
    std::filesystem::path output;            ///< final weights (.safetensors); card written beside it
    int epochs = 10;
    int batch_size = 64;
    double learning_rate = 1e-3;             ///< Adam, after linear warm-up
    int warmup_steps = 200;                  ///< steps of linear learning-rate warm-up
    double clip_grad_norm = 50.0;            ///< global gradient norm limit (<= 0: off)
    double weight_decay = 0.0;               ///< Adam L2 penalty on the weights (0: none), against over-fitting
    TrainingAugmentation augmentation;       ///< per-draw variation of the training images (off by default)
    int heldout_every = 0;                   ///< epochs between held-out bits/dim reports (0: only at the end)
    uint64_t seed = 0;                       ///< initialisation, shuffling and dequantisation noise
    bool resume = false;                     ///< continue from the checkpoint beside `output`
    /// Start from this model's weights instead of a random initialisation (empty: random). Its
    /// architecture and attributes must be those requested, except `pixel_logit_alpha` and
    /// `coupling_min_scale`, which add or remove no weight: a model moved to another pixel space or
    /// coupling bound by fine-tuning. Not with `resume`.
    std::filesystem::path init_from;
    int checkpoint_every = 1;                ///< epochs between checkpoints
    int64_t max_images = 0;                  ///< use only the first N training images (0: all)
    int threads = 0;                         ///< LibTorch CPU threads (0: defaultThreadCount())
    int progress_every = 20;                 ///< steps between progress reports
    /// Wall-clock budget for the optimisation in minutes (<= 0: none). Training stops at the
    /// first epoch boundary where one more epoch, at the mean epoch time of this run, would pass
    /// the budget; that epoch is checkpointed, so `resume` can go on later. Evaluation and
    /// calibration follow and are not counted.
    double time_limit_minutes = 0.0;
    std::string command_line;                ///< recorded in the model card
    std::string notes;                       ///< recorded in the model card (kept from the checkpoint when empty)
    std::function<void(const TrainProgress&)> on_progress;  ///< optional progress sink
};

/// Outcome of a completed training run.
struct TrainResult {
    ModelCard card;                          ///< as written beside the weights
    std::vector<double> epoch_bits_per_dim;  ///< mean training bits/dim of each epoch run now
    /// (epoch, held-out bits/dim) every `heldout_every` epochs: with the training curve, the
    /// measure of over-fitting.
    std::vector<std::pair<int, double>> heldout_bits_per_dim;
    bool stopped_by_time_limit = false;      ///< fewer epochs than requested because of the budget
    double training_seconds = 0.0;           ///< wall-clock time of the optimisation in this run
};

/// The checkpoint written beside `output` (<stem>.checkpoint.safetensors), used by `resume`.
std::filesystem::path checkpointPath(const std::filesystem::path& output);

/// Trains, evaluates bits/dim on the training and held-out splits, calibrates the latent bounds
/// on the training split, and writes the model and its card. Deterministic for a given seed and
/// thread count; resuming from an epoch checkpoint continues the same sequence. Throws
/// TrainingError, ManifestError, ImageError or SafetensorsError with the reason.
TrainResult trainFlow(const TrainOptions& options);

}  // namespace dpflow
