#include "flow/model_card.h"

#include "flow/json_numbers.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <stdexcept>

namespace dpflow {
namespace {

nlohmann::json optionalNumber(const std::optional<double>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::optional<double> readOptional(const nlohmann::json& j, const char* key) {
    if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
    return j.at(key).get<double>();
}

}  // namespace

std::string ModelCard::mostFrequentValue(const std::string& attribute) const {
    for (const auto& a : config.attributes) {
        if (a.name != attribute) continue;
        if (a.values.empty()) break;
        const auto counts = training_attribute_counts.find(attribute);
        if (counts == training_attribute_counts.end()) return a.values.front();
        std::string best = a.values.front();
        std::int64_t most = -1;
        for (const auto& value : a.values) {
            const auto found = counts->second.find(value);
            const std::int64_t count = found == counts->second.end() ? 0 : found->second;
            if (count > most) best = value, most = count;
        }
        return best;
    }
    throw std::invalid_argument("the model has no attribute '" + attribute + "'");
}

std::string describeModelCard(const ModelCard& card) {
    std::string attributes;
    for (const auto& a : card.config.attributes) attributes += (attributes.empty() ? "" : ", ") + a.name;
    auto number = [](const std::optional<double>& value) {
        if (!value) return std::string("-");
        char text[32];
        std::snprintf(text, sizeof text, "%.3f", *value);
        return std::string(text);
    };
    return card.training_data + "; " + std::to_string(card.config.image_size) + " px (" + fitModeName(card.fit) +
           "); attributes: " + (attributes.empty() ? "none" : attributes) + "; bits/dim train " + number(card.bits_per_dim_train) +
           ", " + (card.heldout_split.empty() ? "held-out" : card.heldout_split) + " " + number(card.bits_per_dim_heldout);
}

nlohmann::json modelCardToJson(const ModelCard& card) {
    nlohmann::json j;
    j["format"] = "dpflow-glow";
    j["format_version"] = 1;
    j["architecture"] = card.config;
    j["latent"] = {{"dimension", card.config.latentDim()},
                   {"definition", "standardised multi-scale latent u = (z - mu) / sigma under the learned "
                                  "conditional prior, every level kept; levels finest first, each (C,H,W)"}};
    nlohmann::json levels = nlohmann::json::array();
    for (const auto& level : latentLayout(card.config).levels) {
        levels.push_back({{"shape", {level.channels, level.height, level.width}}, {"offset", level.offset}});
    }
    j["latent"]["levels"] = levels;
    j["preprocessing"] = {
        {"image_size", card.config.image_size},
        {"fit", fitModeName(card.fit)},
        {"input", "display values in [0,1] (after modality and VOI transforms), 1 channel"},
        {"n_bins", card.config.n_bins},
        {"model_space", "x = p (n_bins-1)/n_bins + 0.5/n_bins - 0.5; training adds uniform dequantisation noise within the bin"}};
    if (card.config.pixel_logit_alpha > 0.0) {
        j["preprocessing"]["flow_input"] = "y = logit(a + (1 - 2a)(x + 0.5)), a = architecture.pixel_logit_alpha; the log of "
                                           "its slope is part of the log-density, so bits/dim are those of x";
    }
    j["training"] = {{"data", card.training_data},
                     {"data_sha256", card.training_data_sha256},
                     {"data_sha256_definition", "SHA-256 over the manifest file bytes followed by every training image file's bytes in manifest order"},
                     {"images", card.training_images},
                     {"command", card.training_command},
                     {"epochs", card.epochs},
                     {"seed", card.seed},
                     {"notes", card.notes},
                     {"attribute_counts", card.training_attribute_counts}};
    if (!card.initialised_from.empty()) j["training"]["initialised_from"] = card.initialised_from;
    j["evaluation"] = {{"bits_per_dim_train", optionalNumber(card.bits_per_dim_train)},
                       {"bits_per_dim_heldout", optionalNumber(card.bits_per_dim_heldout)},
                       {"heldout_split", card.heldout_split}};
    if (card.hasCalibration()) {
        j["calibration"] = {{"set", card.calibration_set},
                            {"images", card.calibration_images},
                            {"statistic", "per-element min (lo) and max (hi) of u over the set"},
                            {"tensors", {"calibration.lo", "calibration.hi"}}};
    } else {
        j["calibration"] = nullptr;
    }
    return j;
}

ModelCard modelCardFromJson(const nlohmann::json& j) {
    try {
        if (j.at("format").get<std::string>() != "dpflow-glow") throw std::invalid_argument("not a dpflow-glow model card");
        if (integerAt<int>(j, "format_version") != 1) throw std::invalid_argument("unsupported model card version");
        ModelCard card;
        card.config = j.at("architecture").get<FlowConfig>();
        card.config.validate();
        card.fit = parseFitMode(j.at("preprocessing").at("fit").get<std::string>());
        const auto& t = j.at("training");
        card.training_data = t.at("data").get<std::string>();
        card.training_data_sha256 = t.at("data_sha256").get<std::string>();
        card.training_images = integerAt<std::int64_t>(t, "images", 0);
        card.training_command = t.at("command").get<std::string>();
        card.epochs = integerAt<int>(t, "epochs", 0);
        card.seed = integerAt<std::uint64_t>(t, "seed");
        card.notes = t.value("notes", std::string());
        card.initialised_from = t.value("initialised_from", std::string());
        if (t.contains("attribute_counts"))
            card.training_attribute_counts = t.at("attribute_counts").get<std::map<std::string, std::map<std::string, std::int64_t>>>();
        const auto& e = j.at("evaluation");
        card.bits_per_dim_train = readOptional(e, "bits_per_dim_train");
        card.bits_per_dim_heldout = readOptional(e, "bits_per_dim_heldout");
        card.heldout_split = e.at("heldout_split").get<std::string>();
        if (j.contains("calibration") && !j.at("calibration").is_null()) {
            card.calibration_set = j.at("calibration").at("set").get<std::string>();
            card.calibration_images = integerAt<std::int64_t>(j.at("calibration"), "images", 0);
        }
        return card;
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument(std::string("malformed model card: ") + e.what());
    }
}

}  // namespace dpflow
