#pragma once

#include "flow/flow_config.h"
#include "flow/preprocessing.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace dpflow {

/// What a user (and a privacy officer) needs to know about a flow model. Stored as JSON in the
/// weights file's `__metadata__` ("model_card") and beside it as <name>.json.
struct ModelCard {
    FlowConfig config;                ///< architecture, attributes and their values
    FitMode fit = FitMode::Resize;    ///< how other image sizes are brought to config.image_size

    std::string training_data;        ///< description, e.g. the manifest path and the split used
    std::string training_data_sha256; ///< SHA-256 over the manifest file then every training image file, in order
    std::int64_t training_images = 0; ///< images in the training split
    std::string training_command;     ///< the command line that produced the model
    int epochs = 0;                   ///< epochs completed
    std::uint64_t seed = 0;           ///< training seed
    /// Free text from whoever trained the model: where and how it was trained (hardware, runs
    /// resumed) and which design budget bounded the architecture. Empty when none was given.
    std::string notes;
    /// The model whose weights training started from, "<file> (SHA-256 <hex>, <epochs> epochs)";
    /// empty when training started from a random initialisation.
    std::string initialised_from;
    std::optional<double> bits_per_dim_train;    ///< on the training split (dequantised, one pass)
    std::optional<double> bits_per_dim_heldout;  ///< on `heldout_split`
    std::string heldout_split;        ///< name of the held-out split (empty if none)
    /// How often each attribute value occurs in the training split: attribute -> value -> images.
    /// Empty in cards written before it was recorded.
    std::map<std::string, std::map<std::string, std::int64_t>> training_attribute_counts;

    /// Which images the latent bounds calibration.lo / calibration.hi (per-element min / max of
    /// the standardised latent u) were computed from; empty when the file holds no calibration.
    /// For the privacy guarantee this must be public data, never the images being released.
    std::string calibration_set;
    std::int64_t calibration_images = 0;

    bool hasCalibration() const { return !calibration_set.empty(); }

    /// The value of `attribute` most frequent in training; the first listed value when the card
    /// has no counts. Throws std::invalid_argument for an attribute the model does not have.
    std::string mostFrequentValue(const std::string& attribute) const;
};

/// The card in one line for a person choosing a model: what it was trained on, its size and fit,
/// its attributes and its bits/dim (train, held-out).
std::string describeModelCard(const ModelCard& card);

/// JSON form of the card (format "dpflow-glow", version 1).
nlohmann::json modelCardToJson(const ModelCard& card);

/// Parses a card; throws std::invalid_argument with the missing or malformed field.
ModelCard modelCardFromJson(const nlohmann::json& json);

}  // namespace dpflow
