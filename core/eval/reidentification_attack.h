#pragma once

#include "eval/patient_embedding.h"
#include "eval/reidentification.h"

#include <filesystem>
#include <string>

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

/// Trains the learned attacker on the images of `split` of a manifest, grouped by
/// `patient_column`, records the data in the options' description and saves it to `output`.
/// Throws as loadLabelledImages / PatientEmbedding::train do.
PatientEmbedding trainEmbeddingOnManifest(const std::filesystem::path& manifest, const std::string& split,
                                          const std::string& patient_column, EmbeddingTrainOptions options,
                                          const std::filesystem::path& output);

}  // namespace dpflow
