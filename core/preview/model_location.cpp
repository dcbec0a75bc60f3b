#include "preview/model_location.h"

#include "flow/model_card.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace dpflow {

const char* const kDefaultStudioModel = "phantom128-glow.safetensors";
const char* const kRealFilmStudioModel = "nih128-glow.safetensors";

const char* studioModelFor(bool phantom_study) { return phantom_study ? kDefaultStudioModel : kRealFilmStudioModel; }

bool isPhantomStudyManifest(const std::vector<std::string>& columns) {
    for (const char* column : {"mask_file", "marker_side", "photons_per_mm2"})
        if (std::find(columns.begin(), columns.end(), column) == columns.end()) return false;
    return true;
}

std::filesystem::path shippedSweepFor(const std::filesystem::path& model) {
    auto path = model;
    return path.replace_extension(".sweep.csv");
}

namespace {

std::filesystem::path besideInFamily(const std::filesystem::path& model, const std::string& suffix) {
    const std::string stem = model.stem().string();
    return model.parent_path() / (stem.substr(0, stem.find('-')) + suffix);
}

}  // namespace

std::filesystem::path shippedEmbeddingFor(const std::filesystem::path& model) {
    return besideInFamily(model, "-reid-embedding.safetensors");
}

std::filesystem::path shippedLinkageEmbeddingFor(const std::filesystem::path& model) {
    return besideInFamily(model, "-linkage-embedding.safetensors");
}

ShippedAttackers shippedAttackersFor(const std::filesystem::path& model) {
    std::error_code error;
    ShippedAttackers attackers;
    if (const auto path = shippedEmbeddingFor(model); std::filesystem::exists(path, error)) attackers.reidentification = path;
    if (const auto path = shippedLinkageEmbeddingFor(model); std::filesystem::exists(path, error)) attackers.linkage = path;
    return attackers;
}

std::vector<ShippedModel> listShippedFlowModels(const std::filesystem::path& executable) {
    for (const auto& folder : modelSearchFolders(executable)) {
        std::error_code error;
        if (!std::filesystem::is_directory(folder, error)) continue;
        std::vector<ShippedModel> models;
        for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
            if (entry.path().extension() != ".safetensors") continue;
            auto card_path = entry.path();
            card_path.replace_extension(".json");
            std::ifstream in(card_path);
            if (!in) continue;
            try {
                const ModelCard card = modelCardFromJson(nlohmann::json::parse(in));
                models.push_back({entry.path(), describeModelCard(card)});
            } catch (const std::exception&) {
                // Not a flow card (a classifier's, or damaged): not offered as a flow model.
            }
        }
        std::sort(models.begin(), models.end(), [](const ShippedModel& a, const ShippedModel& b) { return a.path < b.path; });
        if (!models.empty()) return models;
    }
    return {};
}

std::vector<std::filesystem::path> modelSearchFolders(const std::filesystem::path& executable) {
    std::vector<std::filesystem::path> folders;
    if (!executable.empty())
        folders.push_back((executable.parent_path() / ".." / "share" / "dpflow-studio" / "models").lexically_normal());
    folders.emplace_back(DPFLOW_SOURCE_MODELS_DIR);
    return folders;
}

std::filesystem::path locateShippedModel(const std::filesystem::path& executable, const std::filesystem::path& name) {
    std::string searched;
    for (const auto& folder : modelSearchFolders(executable)) {
        const auto candidate = folder / name;
        std::error_code error;
        if (std::filesystem::is_regular_file(candidate, error)) return candidate;
        searched += "\n  " + folder.string();
    }
    throw std::runtime_error("cannot find the model " + name.string() + "; searched:" + searched +
                             "\ngive the weights file with --model");
}

std::filesystem::path currentExecutable() {
    std::error_code error;
    auto path = std::filesystem::read_symlink("/proc/self/exe", error);
    return error ? std::filesystem::path() : path;
}

}  // namespace dpflow
