#include "flow/training_data.h"

#include "flow/model_space.h"
#include "image/image_reader.h"

#include "image/sha256.h"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace dpflow {
namespace {

bool isNumber(const std::string& text) {
    if (text.empty()) return false;
    char* end = nullptr;
    std::strtod(text.c_str(), &end);
    return end == text.c_str() + text.size();
}

}  // namespace

std::vector<FlowAttribute> attributesFromManifest(const Manifest& manifest, const std::vector<std::string>& names) {
    std::vector<FlowAttribute> attributes;
    for (const auto& name : names) {
        if (!manifest.hasColumn(name)) throw ManifestError("manifest has no attribute column '" + name + "'");
        std::set<std::string> unique;
        for (size_t row = 0; row < manifest.size(); ++row) {
            const auto& value = manifest.value(row, name);
            if (value.empty()) {
                throw ManifestError("manifest row " + std::to_string(row + 2) + " has no value for '" + name + "'");
            }
            unique.insert(value);
        }
        std::vector<std::string> values(unique.begin(), unique.end());
        if (std::all_of(values.begin(), values.end(), isNumber)) {
            std::sort(values.begin(), values.end(),
                      [](const std::string& a, const std::string& b) { return std::stod(a) < std::stod(b); });
        }
        attributes.push_back({name, values});
    }
    return attributes;
}

FlowDataset loadFlowDataset(const Manifest& manifest, const std::vector<size_t>& rows, const FlowConfig& config,
                            FitMode fit) {
    const int64_t n = static_cast<int64_t>(rows.size());
    const int size = config.image_size;
    FlowDataset data;
    data.levels = torch::empty({n, 1, size, size}, torch::kUInt8);
    data.cond = torch::zeros({n, config.conditionDim()});
    for (int64_t i = 0; i < n; ++i) {
        const auto row = rows[static_cast<size_t>(i)];
        const auto path = manifest.file(row);
        std::vector<float> pixels;
        try {
            pixels = fitImage(readImage(path), size, fit);
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(path.string() + ": " + e.what());
        }
        data.levels[i] = quantizeLevels(torch::tensor(pixels).view({1, size, size}), config.n_bins);
        AttributeValues values;
        for (const auto& attribute : config.attributes) values[attribute.name] = manifest.value(row, attribute.name);
        try {
            data.cond[i] = torch::tensor(config.oneHot(values));
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(path.string() + ": " + e.what());
        }
        data.files.push_back(path);
    }
    return data;
}

std::string sha256OfTrainingData(const std::filesystem::path& manifest_path, const std::vector<std::filesystem::path>& files) {
    Sha256 hash;
    hash.updateWithFile(manifest_path);
    for (const auto& file : files) hash.updateWithFile(file);
    return hash.hexDigest();
}

}  // namespace dpflow
