#pragma once

#include "eval/patient_embedding.h"
#include "eval/reidentification.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dpflow {

/// Which attacker turns images into features.
enum class ReidentificationAttacker {
    Pixels,     ///< normalisedPixelFeatures at a fixed size
    Embedding,  ///< a trained PatientEmbedding
};

/// Parses "pixels" or "embedding"; throws std::invalid_argument naming the accepted values.
ReidentificationAttacker parseReidentificationAttacker(const std::string& name);

/// A re-identification run on a manifest's images (the originals; privatized probes are the
/// caller's business once a mechanism exists).
struct ManifestReidentificationOptions {
    std::filesystem::path manifest;
    std::string split = "test";                 ///< "" for all rows
    std::string patient_column = "patient_id";
    bool linkage = false;                       ///< linkage protocol instead of identification
    ReidentificationAttacker attacker = ReidentificationAttacker::Pixels;
    std::filesystem::path embedding;            ///< model file, required for Embedding
    int pixel_size = 32;                        ///< Pixels: side the images are resized to
};

/// Result with a one-line description of the attacker (for printing and reports).
struct ManifestReidentificationReport {
    std::string attacker;
    ReidentificationResult result;
};

/// Builds the protocol, computes the attacker's features for gallery and probe rows and matches
/// them (cosine similarity). Throws ManifestError / ImageError for unreadable data,
/// std::invalid_argument for a missing embedding model or bad options, SafetensorsError for a
/// corrupt model.
ManifestReidentificationReport reidentifyOnManifest(const ManifestReidentificationOptions& options);

/// Privatized copies of every training film, for a linkage attacker: the attacker learns to
/// find a film's original from its privatized release, as one who holds the originals would.
struct LinkageViews {
    std::filesystem::path model;         ///< the flow whose releases are attacked
    std::string mechanism = "dpglow";    ///< dpglow or cadp (every model attribute kept)
    std::vector<double> epsilons;        ///< one privatized copy of each film at each
    std::uint64_t seed = 1;              ///< seeds the copies' noise (training data, never released)
};

/// Where and how a shipped attacker is trained and judged.
struct EmbeddingTrainingRun {
    std::filesystem::path manifest;
    std::string splits = "train";       ///< trained on; several separated by commas ("train,val"): public films only
    std::string patient_column = "patient_id";
    std::string evaluate_split;         ///< judged on (originals, identification and linkage); "" for none; must not be trained on
    std::filesystem::path output;       ///< the model (.safetensors); its card goes beside it as .json
    std::string command_line;           ///< recorded in the card
    /// Linkage attacker: the identity is the film, not the patient, and each film's images are
    /// its original and its privatized copies. Empty: a re-identification attacker (identity =
    /// patient, images = the patient's films).
    std::optional<LinkageViews> linkage_views;
};

/// Trains the learned attacker on the images of the run's splits grouped by patient, saves it,
/// and writes its card (format "dpflow-reid-embedding-card"): the training data (manifest and
/// its SHA-256, splits, images, patients, patients with several images), the settings, time and
/// final loss, and, with an evaluation split, the attacker's strength on its originals
/// (describeAttackStrength's figures for identification and linkage). Throws ManifestError for a
/// missing column or empty split, std::invalid_argument when the evaluation split is one it was
/// trained on, and as PatientEmbedding::train does.
struct EmbeddingTrainingResult {
    PatientEmbedding model;
    std::optional<SweepAttackFigures> identification;  ///< on the evaluation split's originals (absent without one)
    std::optional<SweepAttackFigures> linkage;
};
EmbeddingTrainingResult trainEmbeddingOnManifest(const EmbeddingTrainingRun& run, EmbeddingTrainOptions options);

/// The card beside an attacker model: "x.safetensors" -> "x.json" (as classifierCardPath).
std::filesystem::path embeddingCardPath(const std::filesystem::path& model);

}  // namespace dpflow
