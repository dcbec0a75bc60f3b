#include "release/release_settings.h"

#include "image/sha256.h"
#include "privacy/mechanism_settings.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <set>
#include <stdexcept>

namespace dpflow {
namespace {

using nlohmann::json;

template <typename T>
void readField(const json& object, const char* name, T& value, const std::string& where) {
    if (!object.contains(name) || object.at(name).is_null()) return;
    try {
        value = object.at(name).get<T>();
    } catch (const json::exception&) {
        throw std::invalid_argument(where + name + " has the wrong type (got " + object.at(name).dump() + ")");
    }
}

// An optional number: absent or null leaves it empty.
void readOptionalField(const json& object, const char* name, std::optional<double>& value) {
    if (!object.contains(name) || object.at(name).is_null()) return;
    double number = 0.0;
    readField(object, name, number, "");
    value = number;
}

void rejectUnknown(const json& object, const std::set<std::string>& known, const std::string& where) {
    for (const auto& item : object.items())
        if (!known.count(item.key()))
            throw std::invalid_argument("unknown release setting '" + where + item.key() + "' (check its spelling)");
}

}  // namespace

json releaseSettingsToJson(const ReleaseSettings& s) {
    json j = privatizerSettingsToJson(s.decision);
    j.update({{"inputs", s.inputs},   {"attributes", s.attributes}, {"model", s.model},
              {"formats", s.formats}, {"purpose", s.purpose},       {"evaluation", s.evaluation},
              {"shard", s.shard.text()}});
    j["budget_limit"] = s.budget_limit ? json(*s.budget_limit) : json(nullptr);
    return j;
}

ReleaseSettings releaseSettingsFromJson(const json& j) {
    if (!j.is_object()) throw std::invalid_argument("release settings must be a JSON object");
    std::set<std::string> known = {"inputs", "attributes", "model", "formats", "purpose", "evaluation", "budget_limit", "shard"};
    known.insert(privatizerSettingsJsonFields().begin(), privatizerSettingsJsonFields().end());
    rejectUnknown(j, known, "");
    ReleaseSettings s;
    readField(j, "inputs", s.inputs, "");
    readField(j, "attributes", s.attributes, "");
    readField(j, "model", s.model, "");
    readPrivatizerSettingsJson(j, s.decision);
    readOptionalField(j, "budget_limit", s.budget_limit);
    readField(j, "formats", s.formats, "");
    readField(j, "purpose", s.purpose, "");
    readField(j, "evaluation", s.evaluation, "");
    std::string shard;
    readField(j, "shard", shard, "");
    if (!shard.empty()) s.shard = parseReleaseShard(shard);
    return s;
}

ReleaseSettings readReleaseSettings(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path.string() + ": cannot read the release configuration");
    json j;
    try {
        j = json::parse(in);
    } catch (const json::exception& e) {
        throw std::runtime_error(path.string() + ": not valid JSON: " + e.what());
    }
    try {
        return releaseSettingsFromJson(j);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(path.string() + ": " + e.what());
    }
}

void validateReleaseSettings(const ReleaseSettings& s) {
    if (s.inputs.empty()) throw std::invalid_argument("no input: give a manifest (.csv) or a folder of images");
    const PrivacyMechanism mechanism = s.decision.mechanism.mechanism;
    if (isLatentMechanism(mechanism) && s.model.empty())
        throw std::invalid_argument("mechanism " + mechanismName(mechanism) + " works on the flow's latent: give --model");
    if (!(s.decision.mechanism.epsilon > 0.0) || !std::isfinite(s.decision.mechanism.epsilon))
        throw std::invalid_argument("--epsilon must be a positive finite number");
    if (s.formats.empty()) throw std::invalid_argument("give at least one output format (dcm, png)");
    for (const auto& format : s.formats)
        if (format != "dcm" && format != "png") throw std::invalid_argument("unknown output format '" + format + "' (use dcm or png)");
    if (s.decision.safeguard) validateSafeguardSettings(*s.decision.safeguard);
}

std::string releaseSettingsFingerprint(const ReleaseSettings& settings, const std::string& model_sha256) {
    json j = releaseSettingsToJson(settings);
    j["shard"] = settings.shard.count;  // the index differs between shards of one release
    j["model_sha256"] = model_sha256;
    const std::string text = j.dump();
    return sha256Hex(text.data(), text.size());
}

}  // namespace dpflow
