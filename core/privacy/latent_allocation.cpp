#include "privacy/latent_allocation.h"

#include "image/sha256.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace dpflow {
namespace {

constexpr const char* kFormat = "dpflow-latent-allocation";
constexpr int kFormatVersion = 1;

// The shares are written with 17 significant digits; their sum is allowed this far from 1.
constexpr double kShareSumTolerance = 1e-9;

void validateGroups(const LatentAllocation& allocation) {
    if (allocation.groups.empty()) throw std::invalid_argument("the allocation has no groups");
    std::size_t next = 0;
    double sum = 0.0;
    for (const auto& group : allocation.groups) {
        if (group.begin != next)
            throw std::invalid_argument("allocation group '" + group.name + "' starts at " + std::to_string(group.begin) +
                                        ", not at " + std::to_string(next) + ": groups must be disjoint and in order");
        if (group.end <= group.begin) throw std::invalid_argument("allocation group '" + group.name + "' is empty");
        if (!(group.budget_share >= 0.0 && group.budget_share <= 1.0))
            throw std::invalid_argument("allocation group '" + group.name + "' has a budget share outside [0, 1]");
        sum += group.budget_share;
        next = group.end;
    }
    if (!(std::abs(sum - 1.0) <= kShareSumTolerance))
        throw std::invalid_argument("the allocation's budget shares sum to " + std::to_string(sum) + ", not 1");
}

}  // namespace

std::size_t LatentAllocation::priorCoordinates() const {
    std::size_t count = 0;
    for (const auto& group : groups)
        if (group.drawnFromPrior()) count += group.size();
    return count;
}

bool LatentAllocation::computedFromImage(const std::string& sha256) const {
    return std::find(public_image_sha256.begin(), public_image_sha256.end(), sha256) != public_image_sha256.end();
}

void validateLatentAllocation(const LatentAllocation& allocation, std::size_t dimension, const std::string& model_sha256) {
    validateGroups(allocation);
    if (allocation.groups.back().end != dimension)
        throw std::invalid_argument("the allocation covers " + std::to_string(allocation.groups.back().end) +
                                    " latent coordinates but the model's latent has " + std::to_string(dimension));
    if (!model_sha256.empty() && allocation.model_sha256 != model_sha256)
        throw std::invalid_argument("the allocation " + allocation.file_name + " was computed for the model with SHA-256 " +
                                    allocation.model_sha256 + ", not for this one (" + model_sha256 +
                                    "): compute one for this model with `dpflow allocate`");
}

LatentAllocation readLatentAllocation(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read the latent allocation " + path.string());
    std::stringstream bytes;
    bytes << in.rdbuf();
    LatentAllocation allocation;
    try {
        const nlohmann::json json = nlohmann::json::parse(bytes.str());
        if (json.value("format", "") != kFormat || json.value("format_version", 0) != kFormatVersion)
            throw std::runtime_error("not a dpflow-latent-allocation version 1 file");
        allocation.scheme = json.at("scheme").get<std::string>();
        allocation.objective = json.at("objective").get<std::string>();
        allocation.model_sha256 = json.at("model_sha256").get<std::string>();
        allocation.public_data = json.at("public_data").get<std::string>();
        allocation.public_image_sha256 = json.at("public_image_sha256").get<std::vector<std::string>>();
        for (const auto& g : json.at("groups")) {
            LatentGroup group;
            group.name = g.at("name").get<std::string>();
            group.begin = g.at("begin").get<std::size_t>();
            group.end = g.at("end").get<std::size_t>();
            group.budget_share = g.at("budget_share").get<double>();
            group.finding = g.value("finding", 0.0);
            group.identity = g.value("identity", 0.0);
            allocation.groups.push_back(group);
        }
    } catch (const nlohmann::json::exception& error) {
        throw std::runtime_error("latent allocation " + path.string() + ": " + error.what());
    } catch (const std::runtime_error& error) {
        throw std::runtime_error("latent allocation " + path.string() + ": " + error.what());
    }
    allocation.file_name = path.filename().string();
    allocation.file_sha256 = sha256Hex(bytes.str().data(), bytes.str().size());
    validateGroups(allocation);
    return allocation;
}

void writeLatentAllocation(const std::filesystem::path& path, const LatentAllocation& allocation) {
    validateGroups(allocation);
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& g : allocation.groups)
        groups.push_back({{"name", g.name},
                          {"begin", g.begin},
                          {"end", g.end},
                          {"budget_share", g.budget_share},
                          {"finding", g.finding},
                          {"identity", g.identity}});
    const nlohmann::json json = {{"format", kFormat},
                                 {"format_version", kFormatVersion},
                                 {"scheme", allocation.scheme},
                                 {"objective", allocation.objective},
                                 {"model_sha256", allocation.model_sha256},
                                 {"public_data", allocation.public_data},
                                 {"groups", groups},
                                 {"public_image_sha256", allocation.public_image_sha256}};
    const std::filesystem::path partial = path.string() + ".partial";
    {
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        out << json.dump(1) << '\n';
        if (!out.flush()) throw std::runtime_error("cannot write " + partial.string());
    }
    std::error_code error;
    std::filesystem::rename(partial, path, error);
    if (error) throw std::runtime_error("cannot move " + partial.string() + " to " + path.string() + ": " + error.message());
}

std::vector<MechanismChoice> mechanismChoices(const std::vector<PrivacyMechanism>& mechanisms,
                                              const std::vector<std::string>& allocations,
                                              const std::filesystem::path& model_path) {
    std::vector<MechanismChoice> choices;
    bool allocated = false;
    for (const PrivacyMechanism mechanism : mechanisms) {
        const std::string name = mechanismName(mechanism);
        if (mechanism != PrivacyMechanism::Allocated) {
            choices.push_back({mechanism, name, ""});
            continue;
        }
        allocated = true;
        if (allocations.empty()) choices.push_back({mechanism, name, allocationPathBeside(model_path).string()});
        for (const std::string& file : allocations)
            choices.push_back({mechanism, allocations.size() == 1 ? name : name + ":" + std::filesystem::path(file).stem().string(),
                               file});
    }
    if (!allocations.empty() && !allocated) throw std::invalid_argument("--allocation is for the allocated mechanism");
    return choices;
}

std::filesystem::path allocationPathBeside(const std::filesystem::path& model_path) {
    std::filesystem::path path = model_path;
    return path.replace_extension(".allocation.json");
}

}  // namespace dpflow
