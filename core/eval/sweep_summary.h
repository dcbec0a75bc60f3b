#pragma once

#include "eval/sweep_results.h"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace dpflow {

/// The verification AUC (same patient against different patients, from the attacker's scores) an
/// attack may reach and still count as at chance: the line, on the point estimate.
inline constexpr double kMaxVerificationAucAtChance = 0.60;

/// What "chance" is measured against.
enum class ChanceBaseline {
    /// 1 / gallery size, and the verification AUC over all pairs: the semantics page's chance. The
    /// disclosed (kept) attributes count as the attacker's gain, so this judges the whole release.
    Gallery,
    /// What these guesses would score if the released film carried nothing of its patient beyond
    /// its disclosed attributes (chance_given_disclosed, never below 1 / gallery size), and the
    /// verification AUC within the disclosed strata (none is judged where no gallery film has two
    /// genuine probes, e.g. linkage of the originals, drawn once): judges what the IMAGE adds to
    /// what the release discloses by choice. A mechanism none of whose attacks has those figures
    /// (a file written before they existed) gets no verdict against this baseline; single attacks
    /// without them are judged as Gallery.
    DisclosedAttributes,
};

/// One attack (an attacker in one protocol) at one swept eps, as the verdict judges it.
struct AttackJudgement {
    SweepAttacker attacker = SweepAttacker::Pixel;
    bool linkage = false;               ///< false: identification (other films of the patient); true: linkage (the film's own original)
    double top1_rate = 0.0;
    std::size_t hits = 0;
    std::size_t probes = 0;
    double upper_bound = 1.0;           ///< upper end of the 95% Clopper-Pearson interval of top1_rate, on the effective counts
    double design_effect = 1.0;         ///< hits per film hit (>= 1): hits that cluster in films count as fewer independent trials
    double chance_rate = 0.0;           ///< 1 / gallery size, or under ChanceBaseline::DisclosedAttributes the larger of that and chance_given_disclosed
    double smallest_upper_bound = 1.0;  ///< the upper end with no hit at all: the best these probes can show
    std::optional<double> verification_auc;  ///< over all pairs, or within the disclosed strata (ChanceBaseline::DisclosedAttributes)
    bool verification_at_chance = true;  ///< no verification AUC, or one <= the verdict's max_verification_auc
    bool at_chance = false;             ///< upper_bound <= factor x chance, and verification_at_chance
    bool resolvable = false;            ///< smallest_upper_bound <= factor x chance: the probes could show it at chance
};

/// Every attack at one eps; the strongest (the largest upper bound over chance) decides.
struct EpsilonVerdict {
    double epsilon = 0.0;
    std::vector<AttackJudgement> attacks;  ///< kSweepAttackers order, identification before linkage
    std::size_t strongest = 0;             ///< index into attacks
    bool all_at_chance = false;            ///< every attack's upper bound <= factor x chance
    std::optional<SweepAuc> protocol_a;
    std::optional<SweepAuc> protocol_b;
    std::optional<SweepAuc> image_borne;  ///< the image-borne measure (sweep --image-borne), beside the label-kept AUC
    std::optional<SweepAuc> image_borne_matched;  ///< the same over pairs with equal disclosed attributes
    std::optional<double> mean_ssim;
};

/// The sweep's verdict for one mechanism: the largest swept eps at which every attack
/// (identification and linkage, every attacker with figures) is at chance there and at every
/// smaller swept eps, "at chance" meaning the upper end of the 95% Clopper-Pearson interval of its
/// top-1 rate is at most `factor` x chance, not the point estimate, and its verification AUC, where
/// the attack has one, at most `max_verification_auc`.
struct MechanismVerdict {
    std::string mechanism;
    ChanceBaseline baseline = ChanceBaseline::Gallery;
    double factor = 2.0;
    double max_verification_auc = kMaxVerificationAucAtChance;
    std::vector<EpsilonVerdict> points;   ///< ascending eps
    std::optional<std::size_t> breakpoint;  ///< index into points; absent when no swept eps passes
    bool resolvable = true;               ///< every attack's probes could show chance (false: the test split is too small to pass, whatever the mechanism does)
};

/// One verdict per mechanism with re-identification figures, in the order of the rows. Rows of a
/// mechanism need not be sorted. Attacks without top-1 figures are left out, and a swept eps
/// without any attack figure ends the passing range (it was not shown at chance); the probes and
/// hits are taken from the figures (older results files without hits: rate x probes, rounded).
/// Attack draws of one film are not independent once the attack succeeds on it: with h hits on
/// f distinct films the design effect is h / f, and the interval is taken on f hits of
/// probes / (h / f) trials (f = h: the draws counted as independent; every draw of a hit film
/// hit: the films counted once). Files without films_hit are judged on the pooled counts.
std::vector<MechanismVerdict> sweepVerdicts(const SweepResults& results, ChanceBaseline baseline = ChanceBaseline::Gallery,
                                            double factor = 2.0, double max_verification_auc = kMaxVerificationAucAtChance);

/// The attack as words: "latent linkage", "embedding identification".
std::string attackName(const AttackJudgement& attack);

/// The verdict in a few lines (under ChanceBaseline::DisclosedAttributes it says so first): where every attack is at chance (the strongest attack there with
/// its interval, the AUCs and SSIM), or that none is, naming the strongest attack at the smallest
/// swept eps, and, when the probes are too few to show chance at all, by how much.
std::string describeVerdict(const MechanismVerdict& verdict);

/// An attack's strength as one line, printed with every result: "top-1 0.263 [0.169, 0.376]
/// (20/76), chance 0.0073; verification AUC 0.847 [0.796, 0.897]; TPR 0.171 at FPR 1%, 0.066
/// at 0.1%". Figures that are absent are left out; empty when there is no top-1 rate.
std::string describeAttackStrength(const SweepAttackFigures& figures);

/// What protocol (a) measures on a conditional flow, said beside its figures (the CLI table,
/// the studio's plot, the release certificate): at small eps a decoded film is the prototype of
/// the attribute values it was decoded under, so with the label kept the AUC measures the
/// disclosed label, not what the image carries, and with it protected the label that was drawn.
/// Empty when `mechanisms` has no latent mechanism (dpglow, cadp). For a flow not conditioned on
/// the label (`flow_blind_to_label`, a sweep with --image-borne-as-released) it says the opposite:
/// the decoder never saw the finding, so protocol (a) is what the image carries.
std::string protocolACaveat(const std::vector<std::string>& mechanisms, bool flow_blind_to_label = false);

}  // namespace dpflow
