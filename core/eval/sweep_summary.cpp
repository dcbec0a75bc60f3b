#include "eval/sweep_summary.h"

#include "eval/binomial_interval.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace dpflow {
namespace {

std::string formatAuc(const char* name, const std::optional<SweepAuc>& auc) {
    if (!auc) return "";
    return fmt::format("; AUC ({}) {:.3f} [{:.3f}, {:.3f}]", name, auc->auc, auc->ci_low, auc->ci_high);
}

std::optional<AttackJudgement> judge(const SweepAttackFigures& figures, SweepAttacker attacker, bool linkage,
                                     double factor, double max_verification_auc, ChanceBaseline baseline) {
    if (!figures.top1_rate || !figures.chance_rate || !figures.probes || *figures.probes == 0) return std::nullopt;
    AttackJudgement attack;
    attack.attacker = attacker;
    attack.linkage = linkage;
    attack.top1_rate = *figures.top1_rate;
    attack.probes = *figures.probes;
    attack.hits = figures.top1_hits ? *figures.top1_hits
                                    : static_cast<std::size_t>(std::lround(attack.top1_rate * static_cast<double>(attack.probes)));
    const bool given_disclosed = baseline == ChanceBaseline::DisclosedAttributes && figures.chance_given_disclosed;
    attack.chance_rate = given_disclosed ? std::max(*figures.chance_rate, *figures.chance_given_disclosed) : *figures.chance_rate;
    std::size_t hits = attack.hits, trials = attack.probes;
    if (figures.films_hit && *figures.films_hit > 0 && attack.hits > *figures.films_hit) {
        attack.design_effect = static_cast<double>(attack.hits) / static_cast<double>(*figures.films_hit);
        hits = *figures.films_hit;
        trials = std::max<std::size_t>(hits, static_cast<std::size_t>(std::floor(static_cast<double>(attack.probes) / attack.design_effect)));
    }
    attack.upper_bound = clopperPearsonInterval(hits, trials).high;
    attack.smallest_upper_bound = clopperPearsonInterval(0, attack.probes).high;
    attack.verification_auc = given_disclosed ? figures.verification_within_disclosed_auc : figures.verification_auc;
    attack.verification_at_chance = !attack.verification_auc || *attack.verification_auc <= max_verification_auc;
    attack.at_chance = attack.upper_bound <= factor * attack.chance_rate && attack.verification_at_chance;
    attack.resolvable = attack.smallest_upper_bound <= factor * attack.chance_rate;
    return attack;
}

// How far above the line an attack is: its upper bound over chance.
double strength(const AttackJudgement& attack) { return attack.upper_bound / attack.chance_rate; }

std::string describeAttack(const AttackJudgement& attack) {
    return fmt::format("{} top-1 {:.3f} ({}/{}{}, 95% upper bound {:.3f}{})", attackName(attack), attack.top1_rate,
                       attack.hits, attack.probes,
                       attack.design_effect > 1.0 ? fmt::format(", design effect {:.2f}", attack.design_effect) : "",
                       attack.upper_bound,
                       attack.verification_auc ? fmt::format(", verification AUC {:.3f}", *attack.verification_auc) : "");
}

// Probes needed for no hit to give an upper bound at or below `line` (0.95 two-sided).
double probesNeeded(double line) { return std::ceil(std::log(0.025) / std::log1p(-line)); }

}  // namespace

std::string attackName(const AttackJudgement& attack) {
    return std::string(sweepAttackerName(attack.attacker)) + (attack.linkage ? " linkage" : " identification");
}

std::vector<MechanismVerdict> sweepVerdicts(const SweepResults& results, ChanceBaseline baseline, double factor,
                                            double max_verification_auc) {
    std::vector<std::string> mechanisms;
    for (const SweepRow& row : results.rows)
        if (std::find(mechanisms.begin(), mechanisms.end(), row.mechanism) == mechanisms.end())
            mechanisms.push_back(row.mechanism);
    std::vector<MechanismVerdict> out;
    for (const std::string& mechanism : mechanisms) {
        std::vector<const SweepRow*> rows;
        for (const SweepRow& row : results.rows)
            if (row.mechanism == mechanism) rows.push_back(&row);
        std::sort(rows.begin(), rows.end(), [](const SweepRow* a, const SweepRow* b) { return a->epsilon < b->epsilon; });
        MechanismVerdict verdict;
        verdict.mechanism = mechanism;
        verdict.baseline = baseline;
        verdict.factor = factor;
        verdict.max_verification_auc = max_verification_auc;
        bool passing = true;  // every smaller eps passed
        bool given_disclosed = false;  // some attack of the mechanism has its chance given the disclosed attributes
        for (const SweepRow* row : rows) {
            for (SweepAttacker attacker : kSweepAttackers)
                given_disclosed = given_disclosed || attackerFigures(*row, attacker).identification.chance_given_disclosed ||
                                  attackerFigures(*row, attacker).linkage.chance_given_disclosed;
            EpsilonVerdict point;
            point.epsilon = row->epsilon;
            point.protocol_a = row->protocol_a;
            point.protocol_b = row->protocol_b;
            point.image_borne = row->image_borne;
            point.image_borne_matched = row->image_borne_matched;
            point.mean_ssim = row->mean_ssim;
            for (SweepAttacker attacker : kSweepAttackers) {
                const SweepAttackerFigures& figures = attackerFigures(*row, attacker);
                for (const bool linkage : {false, true})
                    if (auto attack = judge(linkage ? figures.linkage : figures.identification, attacker, linkage, factor,
                                            max_verification_auc, baseline))
                        point.attacks.push_back(*attack);
            }
            if (point.attacks.empty()) {
                passing = false;  // not measured here, so not shown at chance here
                continue;
            }
            for (std::size_t i = 1; i < point.attacks.size(); ++i)
                if (strength(point.attacks[i]) > strength(point.attacks[point.strongest])) point.strongest = i;
            point.all_at_chance = std::all_of(point.attacks.begin(), point.attacks.end(),
                                              [](const AttackJudgement& a) { return a.at_chance; });
            for (const AttackJudgement& attack : point.attacks) verdict.resolvable = verdict.resolvable && attack.resolvable;
            passing = passing && point.all_at_chance;
            verdict.points.push_back(point);
            if (passing) verdict.breakpoint = verdict.points.size() - 1;
        }
        if (baseline == ChanceBaseline::DisclosedAttributes && !given_disclosed) continue;  // it would only repeat the first
        if (!verdict.points.empty()) out.push_back(verdict);
    }
    return out;
}

std::string describeVerdict(const MechanismVerdict& verdict) {
    const double factor = verdict.factor;
    const std::string mechanism =
        verdict.baseline == ChanceBaseline::DisclosedAttributes
            ? verdict.mechanism + " beyond its disclosed attributes (chance: what each attack's guesses score if a film "
                                  "carried nothing else of its patient; verification AUC within the disclosed strata)"
            : verdict.mechanism;
    if (verdict.breakpoint) {
        const EpsilonVerdict& point = verdict.points[*verdict.breakpoint];
        const AttackJudgement& strongest = point.attacks[point.strongest];
        return fmt::format("{}: every attack at chance from eps {:g} down (95% upper bound of each top-1 <= {:g} x chance "
                           "= {:.4f}, verification AUC <= {:.2f}); strongest there: {}{}{}{}",
                           mechanism, point.epsilon, factor, factor * strongest.chance_rate, verdict.max_verification_auc,
                           describeAttack(strongest), formatAuc("a", point.protocol_a),
                           formatAuc("b", point.protocol_b) + formatAuc("image-borne", point.image_borne) +
                               formatAuc("image-borne, matched on the disclosed attributes", point.image_borne_matched),
                           point.mean_ssim ? fmt::format("; SSIM {:.3f}", *point.mean_ssim) : "");
    }
    const EpsilonVerdict& smallest = verdict.points.front();
    const AttackJudgement& strongest = smallest.attacks[smallest.strongest];
    std::string text = fmt::format("{}: no swept eps puts every attack at chance (95% upper bound of top-1 <= {:g} x chance "
                                   "= {:.4f}, verification AUC <= {:.2f}); at the smallest, eps {:g}, the strongest is {}{}{}",
                                   mechanism, factor, factor * strongest.chance_rate, verdict.max_verification_auc,
                                   smallest.epsilon, describeAttack(strongest), formatAuc("a", smallest.protocol_a),
                                   formatAuc("image-borne", smallest.image_borne) +
                                       formatAuc("image-borne, matched on the disclosed attributes", smallest.image_borne_matched));
    for (const AttackJudgement& attack : smallest.attacks)
        if (!attack.verification_at_chance)
            text += fmt::format("; {} verification AUC {:.3f} > {:.2f}", attackName(attack), *attack.verification_auc,
                                verdict.max_verification_auc);
    // Where the point estimates alone would have passed: shown, not counted.
    std::optional<double> point_estimates;
    for (const EpsilonVerdict& point : verdict.points) {
        const bool below = std::all_of(point.attacks.begin(), point.attacks.end(), [&](const AttackJudgement& a) {
            return a.top1_rate <= factor * a.chance_rate;
        });
        if (!below) break;
        point_estimates = point.epsilon;
    }
    if (point_estimates)
        text += fmt::format("; the point estimates alone are at or below {:g} x chance from eps {:g} down", factor,
                            *point_estimates);
    if (!verdict.resolvable) {
        for (const AttackJudgement& attack : smallest.attacks) {
            if (attack.resolvable) continue;
            text += fmt::format("; these test films cannot show chance: {} has {} probes, and even no hit leaves an upper "
                                "bound of {:.4f} > {:g} x chance {:.4f} (about {:.0f} probes would be needed)",
                                attackName(attack), attack.probes, attack.smallest_upper_bound, factor,
                                attack.chance_rate, probesNeeded(factor * attack.chance_rate));
            break;
        }
    }
    return text;
}

std::string describeAttackStrength(const SweepAttackFigures& f) {
    if (!f.top1_rate) return {};
    std::string text = fmt::format("top-1 {:.3f}", *f.top1_rate);
    if (f.top1_ci_low && f.top1_ci_high) text += fmt::format(" [{:.3f}, {:.3f}]", *f.top1_ci_low, *f.top1_ci_high);
    if (f.top1_hits && f.probes) text += fmt::format(" ({}/{})", *f.top1_hits, *f.probes);
    if (f.chance_rate) text += fmt::format(", chance {:.4f}", *f.chance_rate);
    if (f.verification_auc) {
        text += fmt::format("; verification AUC {:.3f}", *f.verification_auc);
        if (f.verification_ci_low && f.verification_ci_high)
            text += fmt::format(" [{:.3f}, {:.3f}]", *f.verification_ci_low, *f.verification_ci_high);
    }
    if (f.tpr_at_fpr_1pct) text += fmt::format("; TPR {:.3f} at FPR 1%", *f.tpr_at_fpr_1pct);
    if (f.tpr_at_fpr_01pct) text += fmt::format(", {:.3f} at 0.1%", *f.tpr_at_fpr_01pct);
    if (f.chance_given_disclosed) text += fmt::format("; given the disclosed attributes: chance {:.4f}", *f.chance_given_disclosed);
    if (f.verification_within_disclosed_auc)
        text += fmt::format(", verification AUC {:.3f}", *f.verification_within_disclosed_auc);
    return text;
}

std::string protocolACaveat(const std::vector<std::string>& mechanisms, bool flow_blind_to_label) {
    const bool latent = std::any_of(mechanisms.begin(), mechanisms.end(), [](const std::string& m) {
        return m == "dpglow" || m == "cadp" || m.rfind("allocated", 0) == 0;
    });
    if (!latent) return {};
    if (flow_blind_to_label)
        return "Protocol (a) on a flow not conditioned on the label: its decoder was never told the finding, so whatever "
               "of it the classifier finds in a released film travelled through the noised latent (the image-borne "
               "measure); the other disclosed attributes still shape the film.";
    return "Protocol (a) on a conditional flow: at small eps the decoded film is the prototype of its released "
           "attributes, so with the label kept the AUC measures the disclosed label, not what the image carries, "
           "and with it protected the label that was drawn.";
}

}  // namespace dpflow
