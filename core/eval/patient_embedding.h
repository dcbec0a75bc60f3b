#pragma once

#include "flow/safetensors.h"
#include "image/image.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dpflow {

/// Progress of embedding training.
struct EmbeddingStep {
    int step = 0;                 ///< 1-based
    int steps = 0;
    double loss = 0.0;            ///< InfoNCE loss of this step's batch
    double elapsed_seconds = 0.0;
    double eta_seconds = 0.0;
};

/// How to train the learned re-identification attacker.
struct EmbeddingTrainOptions {
    int image_size = 64;              ///< square input side (16..256); other sizes are resized
    int base_channels = 16;           ///< backbone width (see conv_backbone.h)
    int embedding_dim = 64;           ///< length of the output vector
    int steps = 500;                  ///< optimisation steps
    int patients_per_batch = 32;      ///< each contributes two images (two views of one image if it has one)
    /// Share of each batch drawn from patients with two or more images (cross-acquisition pairs,
    /// the attack's real task); the rest are self-supervised pairs (two augmented views of one
    /// film). Negative: the patients' natural share (uniform over patients).
    double cross_acquisition_share = -1.0;
    double temperature = 0.1;         ///< InfoNCE softmax temperature
    double learning_rate = 1e-3;      ///< Adam
    int max_shift = -1;               ///< augmentation shift in pixels; -1: image_size / 14
    double intensity_jitter = 0.2;    ///< brightness / contrast jitter of each view
    std::uint64_t seed = 1;
    std::string training_data;        ///< description recorded in the file's metadata
    std::function<void(const EmbeddingStep&)> on_step;  ///< called every step
};

/// Learned attacker: a CNN mapping an image to a unit vector such that images of the same
/// patient lie close together, trained contrastively (InfoNCE / NT-Xent: for every image the
/// other image of its patient must be the most similar in the batch). Trained on the originals
/// of training patients; attacks then run on other (held-out) patients' privatized images.
/// Copies share one network (a cheap handle).
class PatientEmbedding {
public:
    /// Trains on `images` grouped by `patient_ids`. Throws std::invalid_argument for bad options,
    /// mismatched sizes, or fewer than two patients.
    static PatientEmbedding train(const std::vector<Image>& images, const std::vector<std::string>& patient_ids,
                                  const EmbeddingTrainOptions& options, std::vector<double>* loss_history = nullptr);

    /// Reads a file written by save(). Throws SafetensorsError naming the file when it is
    /// unreadable, corrupt (hash mismatch), or not an embedding model.
    static PatientEmbedding load(const std::filesystem::path& path);

    /// Writes weights (float16 or float32) with the settings in metadata, atomically.
    void save(const std::filesystem::path& path, SafetensorsDtype dtype = SafetensorsDtype::F32) const;

    /// Unit-length embedding of each image (resized to imageSize() when needed); inference mode.
    std::vector<std::vector<float>> embed(const std::vector<Image>& images) const;

    int imageSize() const;

private:
    struct State;
    explicit PatientEmbedding(std::shared_ptr<State> state);
    std::shared_ptr<State> state_;
};

}  // namespace dpflow
