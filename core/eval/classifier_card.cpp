#include "eval/classifier_card.h"

#include "flow/json_numbers.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace dpflow {

nlohmann::json classifierCardToJson(const ClassifierCard& card) {
    nlohmann::json json;
    json["format"] = "dpflow-classifier";
    json["version"] = 1;
    json["architecture"] = {
        {"description", "CNN: stages of 3x3 conv + batch norm + ReLU (one conv in the first stage, two after), "
                        "2x2 max pooling between stages, global average pooling, linear layer to one logit"},
        {"image_size", card.image_size},
        {"base_channels", card.base_channels},
        {"stage_channels", card.stage_channels},
        {"output", "sigmoid(logit) = probability of label 1"}};
    json["preprocessing"] = {
        {"description", "display values in [0,1]; images of another size are resized (bilinear, antialiased) to "
                        "image_size x image_size; then (x - input_mean) / input_std"},
        {"input_mean", card.input_mean},
        {"input_std", card.input_std}};
    json["storage_dtype"] = card.storage_dtype;
    json["training"] = {{"label_column", card.label_column},
                        {"data", card.training_data},
                        {"manifest_sha256", card.training_manifest_sha256},
                        {"images", card.training_images},
                        {"positives", card.training_positives},
                        {"command", card.training_command},
                        {"epochs", card.epochs},
                        {"selected_epoch", card.selected_epoch},
                        {"seed", card.seed},
                        {"augmentation", card.augmentation}};
    json["val_auc"] = card.val_auc ? nlohmann::json(*card.val_auc) : nlohmann::json(nullptr);
    if (card.test) {
        json["test"] = {{"split", card.test->split},           {"auc", card.test->auc},
                        {"ci95_low", card.test->ci_low},       {"ci95_high", card.test->ci_high},
                        {"positives", card.test->positives},   {"negatives", card.test->negatives},
                        {"ci_method", "DeLong"}};
    } else {
        json["test"] = nullptr;
    }
    return json;
}

ClassifierCard classifierCardFromJson(const nlohmann::json& json) {
    try {
        if (json.at("format").get<std::string>() != "dpflow-classifier")
            throw std::invalid_argument("card format is not dpflow-classifier");
        ClassifierCard card;
        const auto& architecture = json.at("architecture");
        card.image_size = integerAt<int>(architecture, "image_size");
        card.base_channels = integerAt<int>(architecture, "base_channels");
        card.stage_channels = architecture.at("stage_channels").get<std::vector<int>>();
        card.input_mean = json.at("preprocessing").at("input_mean").get<float>();
        card.input_std = json.at("preprocessing").at("input_std").get<float>();
        card.storage_dtype = json.at("storage_dtype").get<std::string>();
        const auto& training = json.at("training");
        card.label_column = training.at("label_column").get<std::string>();
        card.training_data = training.at("data").get<std::string>();
        card.training_manifest_sha256 = training.at("manifest_sha256").get<std::string>();
        card.training_images = integerAt<std::int64_t>(training, "images");
        card.training_positives = integerAt<std::int64_t>(training, "positives");
        card.training_command = training.at("command").get<std::string>();
        card.epochs = integerAt<int>(training, "epochs");
        card.selected_epoch = integerAt<int>(training, "selected_epoch");
        card.seed = integerAt<std::uint64_t>(training, "seed");
        card.augmentation = training.at("augmentation").get<std::string>();
        if (!json.at("val_auc").is_null()) card.val_auc = json.at("val_auc").get<double>();
        if (!json.at("test").is_null()) {
            const auto& test = json.at("test");
            card.test = RecordedAuc{test.at("split").get<std::string>(),      test.at("auc").get<double>(),
                                    test.at("ci95_low").get<double>(),        test.at("ci95_high").get<double>(),
                                    integerAt<std::int64_t>(test, "positives"), integerAt<std::int64_t>(test, "negatives")};
        }
        if (card.input_std <= 0.0f) throw std::invalid_argument("preprocessing.input_std must be positive");
        return card;
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument(std::string("classifier card: ") + e.what());
    }
}

}  // namespace dpflow
