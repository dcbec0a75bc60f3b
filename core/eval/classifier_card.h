#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dpflow {

/// A test-set AUC as recorded in a card.
struct RecordedAuc {
    std::string split;          ///< manifest split it was measured on
    double auc = 0.0;
    double ci_low = 0.0;        ///< 95% DeLong interval
    double ci_high = 0.0;
    std::int64_t positives = 0;
    std::int64_t negatives = 0;
};

/// What a user needs to know about a downstream classifier: stored as JSON in the weights
/// file's metadata ("classifier_card") and beside it as <name>.json.
struct ClassifierCard {
    int image_size = 28;              ///< square input side; other sizes are resized to it
    int base_channels = 16;           ///< width of the first convolution stage
    std::vector<int> stage_channels;  ///< widths of all stages (derived, for the reader)
    float input_mean = 0.5f;          ///< training-set mean of display values, subtracted at input
    float input_std = 0.25f;          ///< training-set standard deviation, divided at input
    std::string storage_dtype;        ///< "F16" or "F32" as written

    std::string label_column;         ///< manifest column the label came from (1 = finding)
    std::string training_data;        ///< description: manifest path and splits
    std::string training_manifest_sha256;  ///< SHA-256 of the manifest file
    std::int64_t training_images = 0;
    std::int64_t training_positives = 0;
    std::string training_command;
    int epochs = 0;                   ///< epochs run
    int selected_epoch = 0;           ///< epoch whose weights were kept (best validation AUC)
    std::uint64_t seed = 0;
    std::string augmentation;         ///< what was applied during training
    std::optional<double> val_auc;    ///< on the validation split, of the stored weights
    std::optional<RecordedAuc> test;  ///< on the test split, of the stored weights
};

/// JSON form (format "dpflow-classifier", version 1), including the architecture and
/// preprocessing in words.
nlohmann::json classifierCardToJson(const ClassifierCard& card);

/// Parses a card; throws std::invalid_argument naming the missing or malformed field.
ClassifierCard classifierCardFromJson(const nlohmann::json& json);

}  // namespace dpflow
