#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dpflow {

/// A categorical conditioning attribute (e.g. "label" with values {"0","1"}); the model sees it
/// one-hot, in the order of `values`.
struct FlowAttribute {
    std::string name;
    std::vector<std::string> values;
};

/// Attribute values for one image, by attribute name (e.g. {"label": "1"}).
using AttributeValues = std::map<std::string, std::string>;

/// The architecture of a multi-scale conditional GLOW for 1-channel square images. Everything
/// needed to rebuild the module tree before loading weights.
struct FlowConfig {
    int image_size = 32;       ///< H = W in pixels; must be divisible by 2^levels
    int levels = 3;            ///< L: squeeze/steps/split blocks (the last one keeps its latent)
    int steps = 8;             ///< K: flow steps (ActNorm, 1x1 conv, coupling) per level
    int hidden_channels = 128; ///< width of each coupling network
    int n_bins = 256;          ///< quantisation levels of the pixel data (2^bits, at most 256)
    /// Lower bound m of every coupling scale: scale = m + (1 - m) sigmoid(raw + 2), in [0, 1].
    /// 0 is GLOW's unbounded sigmoid scale (the models trained before the bound); m > 0 caps what
    /// one inverse coupling can amplify a perturbation by at 1/m, whatever the decoder is given;
    /// 1 makes every coupling additive (volume-preserving).
    double coupling_min_scale = 0.0;
    /// The flow's first layer (pixel_logit.h): 0, none (the flow sees the model-space value
    /// itself; every model trained before the layer existed); alpha in (0, 0.5): the flow sees
    /// logit(alpha + (1 - 2 alpha)(x + 0.5)), which keeps small latent shifts from moving
    /// near-black and near-white pixels by whole levels.
    double pixel_logit_alpha = 0.0;
    std::vector<FlowAttribute> attributes;  ///< conditioning attributes; empty = unconditional

    /// Sum over attributes of their value counts: the width of the one-hot conditioning vector.
    int conditionDim() const;

    /// Latent dimension D = H * W.
    std::int64_t latentDim() const { return static_cast<std::int64_t>(image_size) * image_size; }

    /// Throws std::invalid_argument with the reason if the architecture cannot be built
    /// (size not divisible by 2^levels, levels < 1, steps < 1, empty attribute value lists, ...).
    void validate() const;

    /// One-hot conditioning vector (length conditionDim()) for `values`. Throws
    /// std::invalid_argument naming the attribute when one is missing, unknown or has a value
    /// not in its list.
    std::vector<float> oneHot(const AttributeValues& values) const;
};

void to_json(nlohmann::json& j, const FlowConfig& config);
void from_json(const nlohmann::json& j, FlowConfig& config);

/// Shape and position of one level's block in the flat standardised latent.
struct LatentLevel {
    int channels = 0;
    int height = 0;
    int width = 0;
    std::int64_t offset = 0;  ///< first element of this level in the flat vector
    std::int64_t size() const { return static_cast<std::int64_t>(channels) * height * width; }
};

/// How the flat latent u (D = H*W elements) is divided among levels: level 0 (finest split)
/// first, the top level last; each block in channel-major (C, H, W) order.
struct LatentLayout {
    std::vector<LatentLevel> levels;
    std::int64_t total = 0;
};

/// The layout for `config` (validated first).
LatentLayout latentLayout(const FlowConfig& config);

}  // namespace dpflow
