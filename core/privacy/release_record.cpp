#include "privacy/release_record.h"

#include <nlohmann/json.hpp>

namespace dpflow {

const char* const kNotPrivateStamp = "NOT PRIVATE";
const char* const kWithheldBySafeguard = "nearest-neighbour safeguard";
const char* const kWithheldNonFiniteDecode = "the flow decoded non-finite pixels (NaN or infinity)";

namespace {

nlohmann::json attributeJson(const ReleasedAttribute& a, const ReleaseAccounting& accounting) {
    nlohmann::json j = {{"name", a.name},
                        {"treatment", a.protect ? "protected" : "kept"},
                        {"method", a.method},
                        {"epsilon", a.epsilon},
                        {"categories", a.categories},
                        {"keep_probability", a.keep_probability}};
    if (!a.prior.empty()) j["prior"] = a.prior;
    if (!a.released_value.empty()) j["released_value"] = a.released_value;
    j["meaning"] = attributeTreatmentStatement(a, accounting);
    return j;
}

nlohmann::json accountingJson(const ReleaseAccounting& a) {
    nlohmann::json epsilon = {{a.mechanismEpsilonName(), a.epsilon_mechanism}};
    nlohmann::json attributes = nlohmann::json::object();
    for (const auto& attribute : a.attributes)
        if (attribute.protect) attributes[attribute.name] = attribute.epsilon;
    epsilon["attributes"] = attributes;
    epsilon["per_try"] = a.epsilon_per_try;
    epsilon["safeguard_factor"] = a.safeguard_factor;
    epsilon["total"] = a.epsilon_total;
    epsilon["parts"] = a.partsText();
    nlohmann::json noise = nullptr;
    if (a.plan) {
        noise = {{"dimension", a.plan->dimension},
                 {"l1_sensitivity", a.plan->l1_sensitivity},
                 {"granularity", a.plan->granularity},
                 {"accounted_sensitivity", a.plan->accounted_sensitivity},
                 {"scale_b", a.plan->scale}};
    }
    nlohmann::json j = {{"mechanism", mechanismName(a.mechanism)}, {"epsilon", epsilon}, {"noise", noise}};
    if (a.l1_radius) j["l1_radius"] = {{"value", *a.l1_radius}, {"origin", a.l1_radius_origin}};
    if (a.decoding) {
        j["latent_decoding"] = {{"method", latentDecodingName(*a.decoding)},
                                {"post_processing", "uses only b and the N(0,1) prior: spends no budget"}};
        if (a.shrink_factor) j["latent_decoding"]["shrink_factor"] = *a.shrink_factor;
    }
    if (!a.groups.empty()) {
        nlohmann::json groups = nlohmann::json::array();
        for (const auto& group : a.groups) {
            nlohmann::json g = {{"name", group.name}, {"begin", group.begin}, {"end", group.end}};
            if (group.plan) {
                g["epsilon"] = group.plan->epsilon;
                g["l1_sensitivity"] = group.plan->l1_sensitivity;
                g["granularity"] = group.plan->granularity;
                g["accounted_sensitivity"] = group.plan->accounted_sensitivity;
                g["scale_b"] = group.plan->scale;
            } else {
                g["drawn_from_prior"] = true;
                g["epsilon"] = 0.0;
            }
            groups.push_back(g);
        }
        j["allocation"] = {{"file", a.allocation_file},
                           {"sha256", a.allocation_sha256},
                           {"scheme", a.allocation_scheme},
                           {"public_data", a.allocation_public_data},
                           {"epsilon_is_sum_of_groups", true},
                           {"groups", groups}};
        j["noise"]["scale_b_meaning"] = "the b one uniform box over the budgeted elements would use; each group uses its scale_b";
    }
    return j;
}

}  // namespace

nlohmann::json releaseRecordToJson(const ReleaseRecord& r) {
    nlohmann::json j;
    if (r.not_private) j["stamp"] = kNotPrivateStamp;
    j["format"] = "dpflow-release-record";
    j["version"] = 1;
    j["randomness"] = {{"source", r.randomness}, {"private", !r.not_private}};
    j["source"] = {{"path", r.source_path}, {"sha256", r.source_sha256}, {"ledger_key", r.ledger_key}};
    if (!r.source_sop_instance_uid.empty()) j["source"]["sop_instance_uid"] = r.source_sop_instance_uid;
    j["model"] = r.model_sha256.empty() ? nlohmann::json(nullptr)
                                        : nlohmann::json{{"name", r.model_name},
                                                         {"sha256", r.model_sha256},
                                                         {"calibration_set", r.model_calibration_set}};
    const nlohmann::json accounting = accountingJson(r.accounting);
    j.update(accounting);
    j["clipping"] = {{"input_clipped_fraction", r.input_clipped_fraction},
                     {"output_clipped_fraction", r.output_clipped_fraction}};
    if (r.accounting.mechanism == PrivacyMechanism::Cadp) j["clipping"]["input_scale_factor"] = r.input_scale_factor;
    if (r.accounting.mechanism == PrivacyMechanism::DpPix)
        j["dppix"] = {{"cell", r.dppix_cell}, {"neighbourhood_pixels", r.dppix_neighbourhood}};

    nlohmann::json attributes = nlohmann::json::array(), released = nlohmann::json::object();
    nlohmann::json disclosed = nlohmann::json::array(), protected_names = nlohmann::json::array();
    for (const auto& a : r.attributes) {
        attributes.push_back(attributeJson(a, r.accounting));
        if (!r.withheld) released[a.name] = a.released_value;
        (a.protect ? protected_names : disclosed).push_back(a.name);
    }
    j["attributes"] = {{"treatments", attributes}, {"released_values", released},
                       {"disclosed", disclosed}, {"protected", protected_names}};

    if (r.safeguard.configured) {
        const auto& s = r.safeguard;
        j["safeguard"] = {{"reference_manifest", s.reference_manifest},
                          {"reference_images", s.reference_images},
                          {"reference_public", s.reference_public},
                          {"reference_status", s.reference_status},
                          {"feature_space", s.feature_space},
                          {"tau", s.tau},
                          {"policy", s.policy},
                          {"tries_allowed", s.tries_allowed},
                          {"tries_used", s.distances.size()},
                          {"nearest_distances", s.distances},
                          {"outcome", s.passed ? "passed" : "withheld"}};
    } else {
        j["safeguard"] = nullptr;
    }
    j["guarantee"] = {{"holds", r.guarantee_holds}, {"statement", r.guarantee}};
    j["output"] = r.withheld ? nlohmann::json{{"withheld", true}, {"reason", r.withheld_reason}}
                             : nlohmann::json{{"withheld", false}, {"file", r.output_file}, {"format", r.output_format}};
    j["ledger"] = {{"path", r.ledger_path},
                   {"key", r.ledger_key},
                   {"spent_before", r.ledger_spent_before},
                   {"spent_after", r.ledger_spent_after}};
    if (!r.ledger_warning.empty()) j["ledger"]["warning"] = r.ledger_warning;
    j["time_utc"] = r.time_utc;
    return j;
}

}  // namespace dpflow
