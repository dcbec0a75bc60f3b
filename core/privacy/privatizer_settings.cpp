#include "privacy/privatizer_settings.h"

#include "privacy/latent_allocation.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <stdexcept>

namespace dpflow {
namespace {

using nlohmann::json;

template <typename T>
T fieldValue(const json& object, const char* name, const std::string& where) {
    try {
        return object.at(name).get<T>();
    } catch (const json::exception&) {
        throw std::invalid_argument(where + name + " has the wrong type (got " + object.at(name).dump() + ")");
    }
}

bool present(const json& object, const char* name) { return object.contains(name) && !object.at(name).is_null(); }

std::vector<std::string> keptNames(const AttributePolicy& policy) {
    std::vector<std::string> names;
    for (const auto& treatment : policy)
        if (!treatment.protect) names.push_back(treatment.name);
    return names;
}

std::vector<std::string> protectItems(const AttributePolicy& policy) {
    std::vector<std::string> items;
    for (const auto& treatment : policy)
        if (treatment.protect) items.push_back(fmt::format("{}:{}", treatment.name, treatment.epsilon));
    return items;
}

}  // namespace

const std::set<std::string>& privatizerSettingsJsonFields() {
    static const std::set<std::string> fields = {"mechanism", "epsilon", "l1_radius", "dppix_cell", "dppix_m",
                                                 "decode",    "keep",    "protect",   "safeguard", "allocation"};
    return fields;
}

void useAllocationBesideModelByDefault(PrivatizerSettings& settings, const std::filesystem::path& model_path) {
    MechanismSettings& m = settings.mechanism;
    if (m.mechanism == PrivacyMechanism::Allocated && m.allocation.empty() && !model_path.empty())
        m.allocation = allocationPathBeside(model_path).string();
}

json privatizerSettingsToJson(const PrivatizerSettings& s) {
    const MechanismSettings& m = s.mechanism;
    json j = {{"mechanism", mechanismName(m.mechanism)}, {"epsilon", m.epsilon},
              {"l1_radius", m.l1_radius ? json(*m.l1_radius) : json(nullptr)},
              {"dppix_cell", m.dppix_cell}, {"dppix_m", m.dppix_neighbourhood},
              {"decode", latentDecodingName(m.decoding)},
              {"keep", keptNames(s.attributes)}, {"protect", protectItems(s.attributes)}};
    j["allocation"] = m.allocation.empty() ? json(nullptr) : json(m.allocation);
    j["safeguard"] = !s.safeguard ? json(nullptr)
                                  : json{{"reference", s.safeguard->reference_manifest.string()},
                                         {"tau", s.safeguard->tau},
                                         {"policy", safeguardPolicyName(s.safeguard->policy)},
                                         {"tries", s.safeguard->tries},
                                         {"reference_public", s.safeguard->reference_public}};
    return j;
}

void readPrivatizerSettingsJson(const json& j, PrivatizerSettings& s) {
    MechanismSettings& m = s.mechanism;
    if (present(j, "mechanism")) m.mechanism = parseMechanism(fieldValue<std::string>(j, "mechanism", ""));
    if (present(j, "epsilon")) m.epsilon = fieldValue<double>(j, "epsilon", "");
    if (present(j, "l1_radius")) m.l1_radius = fieldValue<double>(j, "l1_radius", "");
    if (present(j, "dppix_cell")) m.dppix_cell = fieldValue<int>(j, "dppix_cell", "");
    if (present(j, "dppix_m")) m.dppix_neighbourhood = fieldValue<int>(j, "dppix_m", "");
    if (present(j, "decode")) m.decoding = parseLatentDecoding(fieldValue<std::string>(j, "decode", ""));
    if (present(j, "allocation")) m.allocation = fieldValue<std::string>(j, "allocation", "");
    if (present(j, "keep") || present(j, "protect")) {
        const auto keep = present(j, "keep") ? fieldValue<std::vector<std::string>>(j, "keep", "") : keptNames(s.attributes);
        const auto protect =
            present(j, "protect") ? fieldValue<std::vector<std::string>>(j, "protect", "") : protectItems(s.attributes);
        s.attributes = makeAttributePolicy(keep, protect);
    }
    if (j.contains("safeguard")) {
        const json& g = j.at("safeguard");
        if (g.is_null()) {
            s.safeguard.reset();
            return;
        }
        if (!g.is_object()) throw std::invalid_argument("safeguard must be an object {reference, tau, policy, tries, reference_public}");
        for (const auto& item : g.items())
            if (item.key() != "reference" && item.key() != "tau" && item.key() != "policy" && item.key() != "tries" &&
                item.key() != "reference_public")
                throw std::invalid_argument("unknown release setting 'safeguard." + item.key() + "' (check its spelling)");
        SafeguardSettings safeguard = s.safeguard.value_or(SafeguardSettings{});
        if (present(g, "reference")) safeguard.reference_manifest = fieldValue<std::string>(g, "reference", "safeguard.");
        if (!present(g, "tau")) throw std::invalid_argument("the safeguard needs a non-negative tau (safeguard.tau)");
        safeguard.tau = fieldValue<double>(g, "tau", "safeguard.");
        if (present(g, "policy")) safeguard.policy = parseSafeguardPolicy(fieldValue<std::string>(g, "policy", "safeguard."));
        if (present(g, "tries")) safeguard.tries = fieldValue<int>(g, "tries", "safeguard.");
        if (safeguard.policy == SafeguardPolicy::Withhold) safeguard.tries = 1;
        if (present(g, "reference_public")) safeguard.reference_public = fieldValue<bool>(g, "reference_public", "safeguard.");
        validateSafeguardSettings(safeguard);
        s.safeguard = safeguard;
    }
}

}  // namespace dpflow
