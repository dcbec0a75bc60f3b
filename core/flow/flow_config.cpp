#include "flow/flow_config.h"

#include "flow/json_numbers.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

namespace dpflow {

int FlowConfig::conditionDim() const {
    int dim = 0;
    for (const auto& attribute : attributes) dim += static_cast<int>(attribute.values.size());
    return dim;
}

void FlowConfig::validate() const {
    if (levels < 1 || levels > 8) throw std::invalid_argument("levels must be between 1 and 8");
    if (steps < 1) throw std::invalid_argument("steps per level must be at least 1");
    if (hidden_channels < 1) throw std::invalid_argument("hidden channels must be at least 1");
    if (n_bins < 2 || n_bins > 256) throw std::invalid_argument("n_bins must be between 2 and 256 (8-bit levels)");
    if (!(coupling_min_scale >= 0.0 && coupling_min_scale <= 1.0)) {
        throw std::invalid_argument("the coupling scale bound must be between 0 and 1");
    }
    if (!(pixel_logit_alpha >= 0.0 && pixel_logit_alpha < 0.5)) {
        throw std::invalid_argument("the pixel logit alpha must be at least 0 and below 0.5");
    }
    const int factor = 1 << levels;
    if (image_size < factor || image_size % factor != 0) {
        throw std::invalid_argument("image size " + std::to_string(image_size) +
                                    " is not divisible by 2^levels = " + std::to_string(factor));
    }
    for (const auto& attribute : attributes) {
        if (attribute.values.empty()) {
            throw std::invalid_argument("attribute '" + attribute.name + "' has no values");
        }
    }
}

std::vector<float> FlowConfig::oneHot(const AttributeValues& values) const {
    std::vector<float> vec(static_cast<std::size_t>(conditionDim()), 0.0f);
    std::size_t base = 0;
    for (const auto& attribute : attributes) {
        const auto it = values.find(attribute.name);
        if (it == values.end()) {
            throw std::invalid_argument("attribute '" + attribute.name + "' is required by the model");
        }
        const auto pos = std::find(attribute.values.begin(), attribute.values.end(), it->second);
        if (pos == attribute.values.end()) {
            throw std::invalid_argument("attribute '" + attribute.name + "' has no value '" + it->second +
                                        "' in this model");
        }
        vec[base + static_cast<std::size_t>(pos - attribute.values.begin())] = 1.0f;
        base += attribute.values.size();
    }
    for (const auto& entry : values) {
        const std::string& name = entry.first;  // a structured binding cannot be captured in C++17 (clang refuses it)
        const bool known = std::any_of(attributes.begin(), attributes.end(),
                                       [&](const FlowAttribute& a) { return a.name == name; });
        if (!known) throw std::invalid_argument("the model has no attribute '" + name + "'");
    }
    return vec;
}

void to_json(nlohmann::json& j, const FlowConfig& config) {
    nlohmann::json attributes = nlohmann::json::array();
    for (const auto& a : config.attributes) attributes.push_back({{"name", a.name}, {"values", a.values}});
    j = {{"family", "glow-multiscale-conditional"},
         {"image_size", config.image_size},
         {"channels", 1},
         {"levels", config.levels},
         {"steps_per_level", config.steps},
         {"hidden_channels", config.hidden_channels},
         {"n_bins", config.n_bins},
         {"coupling_min_scale", config.coupling_min_scale},
         {"attributes", attributes}};
    // Written only for models that have the layer, so the cards of the others stay as they were.
    if (config.pixel_logit_alpha > 0.0) j["pixel_logit_alpha"] = config.pixel_logit_alpha;
}

void from_json(const nlohmann::json& j, FlowConfig& config) {
    config.image_size = integerAt<int>(j, "image_size");
    config.levels = integerAt<int>(j, "levels");
    config.steps = integerAt<int>(j, "steps_per_level");
    config.hidden_channels = integerAt<int>(j, "hidden_channels");
    config.n_bins = integerAt<int>(j, "n_bins");
    // Absent in the cards of models trained before the bound existed: their scales are unbounded.
    config.coupling_min_scale = j.contains("coupling_min_scale") ? j.at("coupling_min_scale").get<double>() : 0.0;
    // Absent: the model has no logit layer (pixel_logit.h).
    config.pixel_logit_alpha = j.contains("pixel_logit_alpha") ? j.at("pixel_logit_alpha").get<double>() : 0.0;
    config.attributes.clear();
    for (const auto& a : j.at("attributes")) {
        config.attributes.push_back({a.at("name").get<std::string>(), a.at("values").get<std::vector<std::string>>()});
    }
}

LatentLayout latentLayout(const FlowConfig& config) {
    config.validate();
    LatentLayout layout;
    int channels = 1;
    int size = config.image_size;
    for (int level = 0; level < config.levels; ++level) {
        channels *= 4;
        size /= 2;
        const bool top = level == config.levels - 1;
        const int latent_channels = top ? channels : channels / 2;
        layout.levels.push_back({latent_channels, size, size, layout.total});
        layout.total += layout.levels.back().size();
        if (!top) channels /= 2;
    }
    return layout;
}

}  // namespace dpflow
