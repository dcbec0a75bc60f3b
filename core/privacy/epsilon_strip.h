#pragma once
// The privacy/utility trade-off made visible: the same images privatized by several mechanisms
// at several budgets, each with its record (`dpflow strip`, the picture shown to an ethics board
// and the evidence of docs/privacy-implementation.md).

#include "flow/flow_model.h"
#include "image/image.h"
#include "privacy/privatize_input.h"
#include "privacy/privatizer.h"
#include "privacy/random_source.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dpflow {

/// One privatization in the strip: the image (absent only if a safeguard withheld it) and its
/// record (eps parts, b, clipping fractions).
struct StripCell {
    std::optional<Image> image;
    ReleaseRecord record;
};

/// One source image under one mechanism, across the budgets.
struct StripRow {
    std::string source;          ///< file name of the input
    PrivacyMechanism mechanism;
    std::string label;           ///< the mechanism as shown ("allocated:STEM" for one of several allocations)
    Image original;              ///< the working image (the model's size when there is a model)
    std::vector<StripCell> cells;  ///< one per epsilon, in the given order
};

/// What to show.
struct StripSettings {
    std::vector<PrivacyMechanism> mechanisms;
    std::vector<std::string> allocations;  ///< allocated: one row per file (empty: the file beside the model)
    std::filesystem::path model_path;      ///< where the default allocation lies beside
    std::vector<double> epsilons;   ///< eps_latent or eps_pixel, each > 0
    AttributePolicy attributes;     ///< for dpglow and cadp; pixel and dppix release no attributes
    LatentDecoding decoding = LatentDecoding::Shrink;  ///< for dpglow and cadp
};

/// For every input (in order) and every mechanism, privatizes the image at every epsilon with
/// fresh noise from `source`. Nothing is written and nothing enters a ledger: a strip is for
/// looking, not a release. Inputs that carry an error, or fail to read, are reported in the
/// thrown message; throws std::invalid_argument for settings the model cannot take.
std::vector<StripRow> privatizeAcrossEpsilons(const std::vector<PrivatizeInput>& inputs, const StripSettings& settings,
                                              const ModelReference& model, RandomSource& source);

/// The caption under a cell: eps, b (per-element noise scale) and the clipping fractions.
std::string stripCaption(const StripCell& cell);

}  // namespace dpflow
