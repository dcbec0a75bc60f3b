#pragma once

#include "eval/sweep_results.h"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>

namespace dpflow {

/// Where a running sweep is, for a progress line with ETA.
struct SweepProgress {
    std::string stage;             ///< e.g. "dpglow eps 1e+05: privatizing test images"
    std::size_t done = 0;          ///< work units finished (one unit = one image privatized or encoded)
    std::size_t total = 0;         ///< work units in the whole sweep
    double elapsed_seconds = 0.0;
    double eta_seconds = 0.0;      ///< remaining units at the mean time per unit so far
};

using SweepProgressCallback = std::function<void(const SweepProgress&)>;

/// Asked before every work unit; returning true stops the sweep (e.g. the studio's Cancel button,
/// called from another thread, so it must be thread-safe).
using SweepCancelCheck = std::function<bool()>;

/// Thrown when a SweepCancelCheck stopped a sweep. Nothing is cached or returned for it.
class SweepCancelled : public std::runtime_error {
public:
    SweepCancelled() : std::runtime_error("sweep cancelled") {}
};

/// Checks what can be checked without reading data: at least one mechanism (known names) and one
/// eps (positive, finite), a known latent decoding, a classifier path, a data path, a model for dpglow/cadp and for
/// re-identification (the latent attacker), at least one protocol or --reid, positive epochs and
/// steps. Throws std::invalid_argument saying what to change.
void validateSweepSettings(const SweepSettings& settings);

/// SHA-256 of the model (empty path: ""), the classifier and the data (hashSweepData). Throws
/// std::runtime_error naming a file that cannot be read.
SweepInputHashes hashSweepInputs(const SweepSettings& settings);

/// Computes every figure. For each (mechanism, eps), every selected test image (split, at most
/// max_images, evenly spaced) is privatized once with evaluation noise (seeded per point from
/// settings.seed, mechanism and eps, so a row does not depend on which other points were swept;
/// seeded test randomness is fine here: these images are scored and thrown away, never released).
/// Latent mechanisms keep every model attribute unless keep/protect lists are given; pixel and
/// dppix work at the model's size when a model is given. When the model pads smaller images
/// (fit "pad"), privatized images are cropped back to the source size before they are scored.
/// - protocol (a): the classifier on privatized test images vs their labels (DeLong CI);
/// - protocol (b): a classifier of the same architecture trained for protocol_b_epochs on
///   privatized training images (every 7th held out to select the epoch), scored on original
///   test images;
/// - SSIM and PSNR of each privatized test image to its original;
/// - re-identification (patients with several selected test images): gallery = each patient's
///   first original, probes = privatized other images (identification) or the privatized
///   gallery image itself (linkage). Attackers: pixels (32 px normalised, cosine), a patient
///   embedding trained on the training split's originals (cosine), the flow's latent of the
///   image, encoded under the released attributes (Euclidean).
/// Pixels that decode to NaN or infinity are set to 0 before scoring and counted per row
/// (nonfinite_images), so a decoder overflow is visible instead of turning every figure to NaN.
/// The "original" row gives the same figures for unprivatized images. Throws
/// std::invalid_argument for bad settings or data the figures cannot be computed on (a label
/// that is not 0/1, a missing attribute column, no patient with two images under --reid),
/// ManifestError / ImageError / SafetensorsError for unreadable inputs, and SweepCancelled
/// when `is_cancelled` returns true (asked before each work unit and each training step of the
/// embedding attacker).
SweepResults computeSweep(const SweepSettings& settings, const SweepInputHashes& hashes,
                          const SweepProgressCallback& on_progress = {}, const SweepCancelCheck& is_cancelled = {});

/// How runSweep uses the cache.
struct SweepRunOptions {
    std::filesystem::path cache_dir;  ///< empty: no cache
    bool recompute = false;           ///< ignore a cached entry (and overwrite it)
    SweepProgressCallback on_progress;
    SweepCancelCheck is_cancelled;    ///< optional: stops the computation (SweepCancelled), a cache read is not stopped
};

/// What runSweep returns.
struct SweepOutcome {
    SweepResults results;
    bool from_cache = false;          ///< the figures were read, not computed
    std::filesystem::path cache_entry;  ///< the entry read or written; empty without a cache
};

/// Validates, hashes the inputs, returns the cached results when an entry has the same key
/// (same input hashes and settings), else computes them and stores them in the cache. Throws as
/// validateSweepSettings, hashSweepInputs and computeSweep do (SweepCancelled included).
SweepOutcome runSweep(const SweepSettings& settings, const SweepRunOptions& options);

}  // namespace dpflow
