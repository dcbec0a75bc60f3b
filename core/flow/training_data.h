#pragma once

// Images of a manifest split held in memory for flow training and calibration. Internal to
// core/flow (LibTorch types).

#include "flow/flow_config.h"
#include "flow/preprocessing.h"
#include "image/manifest.h"

#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

namespace dpflow {

/// N images as uint8 quantisation levels (see model_space.h) with their one-hot conditions.
struct FlowDataset {
    torch::Tensor levels;  ///< [N, 1, S, S] uint8
    torch::Tensor cond;    ///< [N, conditionDim] float32
    std::vector<std::filesystem::path> files;

    int64_t size() const { return levels.defined() ? levels.size(0) : 0; }
};

/// The attributes named in `names` with every value found in the manifest's column (sorted
/// numerically when all values are numbers, else lexicographically), so the one-hot layout does
/// not depend on row order. Throws ManifestError for a missing column or an empty value.
std::vector<FlowAttribute> attributesFromManifest(const Manifest& manifest, const std::vector<std::string>& names);

/// Reads the images of `rows` (readImage), brings them to config.image_size by `fit`, and
/// quantises them to config.n_bins levels. Throws the reader's errors, or std::invalid_argument
/// naming the file when an image cannot be fitted or has an attribute value the config lacks.
FlowDataset loadFlowDataset(const Manifest& manifest, const std::vector<size_t>& rows, const FlowConfig& config,
                            FitMode fit);

/// Lower-case hex SHA-256 over the manifest file's bytes followed by each file's bytes in the
/// given order: identifies exactly which training data a model saw. Throws std::runtime_error
/// naming a file that cannot be read.
std::string sha256OfTrainingData(const std::filesystem::path& manifest_path, const std::vector<std::filesystem::path>& files);

}  // namespace dpflow
