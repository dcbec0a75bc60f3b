#include "release/release_evaluation.h"

#include "eval/sweep_results.h"
#include "eval/sweep_summary.h"
#include "image/sha256.h"
#include "privacy/latent_allocation.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace dpflow {
namespace {

using nlohmann::json;

template <typename T>
json orNull(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

json aucJson(const std::optional<SweepAuc>& auc, const char* prefix, json& row) {
    row[std::string(prefix) + "_auc"] = auc ? json(auc->auc) : json(nullptr);
    row[std::string(prefix) + "_ci"] = auc ? json::array({auc->ci_low, auc->ci_high}) : json(nullptr);
    return row;
}

json rowJson(const SweepRow& r) {
    json row = {{"mechanism", r.mechanism}, {"epsilon", r.epsilon}, {"noise_scale", orNull(r.noise_scale)},
                {"test_images", r.test_images}, {"mean_ssim", orNull(r.mean_ssim)}, {"mean_psnr", orNull(r.mean_psnr)},
                {"within_label_concordance", orNull(r.within_label_concordance)}};
    aucJson(r.protocol_a, "protocol_a", row);
    aucJson(r.image_borne, "image_borne", row);
    aucJson(r.image_borne_matched, "image_borne_matched", row);
    aucJson(r.protocol_b, "protocol_b", row);
    json attackers = json::object();
    std::optional<double> strongest, chance, linkage, linkage_chance;
    std::string strongest_name, linkage_name;
    for (const SweepAttacker attacker : kSweepAttackers) {
        const SweepAttackerFigures& f = attackerFigures(r, attacker);
        attackers[sweepAttackerName(attacker)] = {{"identification_top1", orNull(f.identification.top1_rate)},
                                                  {"identification_chance", orNull(f.identification.chance_rate)},
                                                  {"linkage_top1", orNull(f.linkage.top1_rate)},
                                                  {"linkage_chance", orNull(f.linkage.chance_rate)},
                                                  {"verification_auc", orNull(f.identification.verification_auc)}};
        if (f.identification.top1_rate && (!strongest || *f.identification.top1_rate > *strongest)) {
            strongest = f.identification.top1_rate;
            chance = f.identification.chance_rate;
            strongest_name = sweepAttackerName(attacker);
        }
        if (f.linkage.top1_rate && (!linkage || *f.linkage.top1_rate > *linkage)) {
            linkage = f.linkage.top1_rate;
            linkage_chance = f.linkage.chance_rate;
            linkage_name = sweepAttackerName(attacker);
        }
    }
    row["attackers"] = attackers;
    row["reidentification_top1"] = orNull(strongest);
    row["reidentification_chance"] = orNull(chance);
    row["reidentification_attacker"] = strongest_name;
    row["linkage_top1"] = orNull(linkage);
    row["linkage_chance"] = orNull(linkage_chance);
    row["linkage_attacker"] = linkage_name;
    return row;
}

// The sweep's verdict on `mechanism` against `baseline`, with its strongest attack at `epsilon`;
// null when the sweep has no attack figures for it.
json verdictJson(const SweepResults& results, const std::string& mechanism, double epsilon, ChanceBaseline baseline) {
    json out = nullptr;
    for (const MechanismVerdict& verdict : sweepVerdicts(results, baseline)) {
        if (verdict.mechanism != mechanism) continue;
        json here = nullptr;
        for (const EpsilonVerdict& point : verdict.points) {
            if (std::abs(point.epsilon - epsilon) > 1e-9 * std::abs(epsilon)) continue;
            const AttackJudgement& strongest = point.attacks[point.strongest];
            here = {{"all_attacks_at_chance", point.all_at_chance},
                    {"strongest_attack", attackName(strongest)},
                    {"top1", strongest.top1_rate},
                    {"hits", strongest.hits},
                    {"probes", strongest.probes},
                    {"upper_bound_95", strongest.upper_bound},
                    {"chance", strongest.chance_rate},
                    {"line", verdict.factor * strongest.chance_rate}};
        }
        out = {{"statement", describeVerdict(verdict)},
               {"epsilon_all_at_chance", verdict.breakpoint ? json(verdict.points[*verdict.breakpoint].epsilon) : json(nullptr)},
               {"test_films_can_show_chance", verdict.resolvable},
               {"at_this_epsilon", here}};
    }
    return out;
}

}  // namespace

std::string sweepRowsMeasuring(const SweepResults& results, const std::string& mechanism, const std::string& allocation_sha256) {
    if (mechanism != mechanismName(PrivacyMechanism::Allocated)) return mechanism;
    std::vector<PrivacyMechanism> swept;
    for (const std::string& name : results.settings.mechanisms) swept.push_back(parseMechanism(name));
    std::size_t index = 0;
    for (const MechanismChoice& choice : mechanismChoices(swept, results.settings.allocations, results.settings.model_path)) {
        if (choice.mechanism != PrivacyMechanism::Allocated) continue;
        if (index < results.hashes.allocation_sha256.size() && results.hashes.allocation_sha256[index] == allocation_sha256)
            return choice.label;
        ++index;
    }
    return "";
}

json evaluationAtEpsilon(const std::filesystem::path& sweep_csv, const std::string& released_mechanism, double epsilon,
                         const std::string& model_sha256, const std::string& allocation_sha256) {
    const SweepResults results = readSweepResults(sweep_csv);
    const std::string mechanism = sweepRowsMeasuring(results, released_mechanism, allocation_sha256);
    const bool allocation_found = !mechanism.empty();
    json e = {{"file", sweep_csv.filename().string()},
              {"sha256", sha256OfFile(sweep_csv)},
              {"data_sha256", results.hashes.data_sha256},
              {"model_sha256", results.hashes.model_sha256},
              {"model_matches", results.hashes.model_sha256 == model_sha256},
              {"split", results.settings.split},
              {"image_borne_as_released", results.settings.image_borne_as_released},
              {"found", false}};
    if (released_mechanism == mechanismName(PrivacyMechanism::Allocated)) {
        e["allocation_sha256"] = allocation_sha256;
        e["allocation_found"] = allocation_found;
    }
    for (const auto& row : results.rows) {
        if (row.mechanism != mechanism || std::abs(row.epsilon - epsilon) > 1e-9 * std::abs(epsilon)) continue;
        e["found"] = true;
        e["row"] = rowJson(row);
    }
    if (results.original) e["original"] = rowJson(*results.original);
    // The sweep's verdicts (sweep_summary.h): the strongest attack, judged by its interval, against
    // chance over the gallery and against chance given the disclosed attributes.
    e["verdict"] = verdictJson(results, mechanism, epsilon, ChanceBaseline::Gallery);
    e["verdict_beyond_disclosed_attributes"] = verdictJson(results, mechanism, epsilon, ChanceBaseline::DisclosedAttributes);
    return e;
}

}  // namespace dpflow
