#pragma once

#include "eval/classifier_card.h"
#include "eval/labelled_images.h"
#include "flow/safetensors.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

namespace dpflow {

/// One finished training epoch, for progress display and tests.
struct ClassifierEpoch {
    int epoch = 0;               ///< 1-based
    int epochs = 0;
    double train_loss = 0.0;     ///< mean binary cross-entropy over the epoch's batches
    double val_auc = 0.0;        ///< of the weights after this epoch
    double elapsed_seconds = 0.0;
    double eta_seconds = 0.0;    ///< remaining epochs at the mean epoch time so far
};

/// How to train a classifier (see BinaryClassifier::train).
struct ClassifierTrainOptions {
    int image_size = 28;             ///< square input side (16..256); other sizes are resized
    int base_channels = 16;          ///< width of the first stage (see conv_backbone.h)
    int epochs = 30;
    int batch_size = 64;
    double learning_rate = 2e-3;     ///< Adam, cosine-decayed to zero over all steps
    double weight_decay = 1e-4;      ///< L2 on all parameters
    int max_shift = -1;              ///< augmentation shift in pixels; -1: image_size / 14
    double intensity_jitter = 0.1;   ///< brightness / contrast jitter; 0: none
    std::uint64_t seed = 1;          ///< initialisation, shuffling and augmentation
    /// true: keep the weights of the epoch with the best validation AUC; false: keep the last
    /// epoch's (the number of epochs chosen beforehand, e.g. by crossValidateEpochs).
    bool keep_best_epoch = true;
    /// > 0: stop after this epoch, with the learning-rate schedule of all `epochs` (so a count
    /// chosen by cross-validation trains exactly as it was scored there); 0: train every epoch.
    int stop_after_epoch = 0;
    std::function<void(const ClassifierEpoch&)> on_epoch;  ///< called after every epoch
};

/// A small CNN that scores a binary finding on a grayscale image (e.g. pneumonia, consolidation):
/// the downstream task whose ROC AUC measures what privatized images still tell. Weights and
/// card live in one safetensors file; the card also beside it as .json. Copies share one network
/// and card (a cheap handle), so predict() on copies must not run concurrently.
class BinaryClassifier {
public:
    /// Trains on `train`, evaluates the validation AUC after every epoch and keeps the weights
    /// of the best epoch. Fills the card's architecture, preprocessing, epochs, selected epoch,
    /// seed, augmentation and val_auc (the caller adds the data description and test AUC).
    /// `history` (optional) receives every epoch. Throws std::invalid_argument for bad options,
    /// an empty training set, or a validation set without two cases of each class.
    static BinaryClassifier train(const LabelledImages& train, const LabelledImages& val,
                                  const ClassifierTrainOptions& options, std::vector<ClassifierEpoch>* history = nullptr);

    /// Reads a classifier written by save(). Throws SafetensorsError naming the file when it is
    /// unreadable, corrupt (hash mismatch), or not a classifier; std::invalid_argument for a
    /// malformed card.
    static BinaryClassifier load(const std::filesystem::path& path);

    /// Rebuilds a classifier from file contents (see load); `source` names it in errors.
    static BinaryClassifier fromSafetensors(const SafetensorsFile& file, const std::string& source);

    /// The weights (floating point as `dtype`, F16 or F32) with the card in metadata.
    SafetensorsFile toSafetensors(SafetensorsDtype dtype) const;

    /// Writes the weights atomically and the card as JSON beside them (same name, .json).
    /// Throws SafetensorsError on I/O failure.
    void save(const std::filesystem::path& path, SafetensorsDtype dtype) const;

    /// Probability of label 1 for each image; images of another size are resized to the
    /// model's size. Deterministic (inference mode).
    std::vector<double> predict(const std::vector<Image>& images) const;

    const ClassifierCard& card() const;
    /// For recording the data description and test results before saving.
    ClassifierCard& card();

private:
    struct State;
    explicit BinaryClassifier(std::shared_ptr<State> state);
    std::shared_ptr<State> state_;
};

/// The card written beside `weights` (same name, extension .json).
std::filesystem::path classifierCardPath(const std::filesystem::path& weights);

}  // namespace dpflow
