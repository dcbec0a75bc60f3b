#pragma once

#include "eval/binomial_interval.h"
#include "eval/roc_auc.h"
#include "eval/sweep_results.h"
#include "image/manifest.h"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace dpflow {

/// Feature vectors with the identity (patient) each belongs to. Any attacker's output fits:
/// normalised pixels, a learned embedding, or a flow's latent.
struct IdentityFeatures {
    std::vector<std::vector<float>> features;  ///< one vector per image, all of equal length
    std::vector<std::string> identities;       ///< one per vector
};

/// How two feature vectors are compared; both give "higher = more similar".
enum class FeatureSimilarity {
    Cosine,     ///< cosine of the angle (scale-free; the default)
    Euclidean,  ///< minus the L2 distance (for features already normalised by the attacker)
};

/// What the attacker knows of every film besides its pixels: the attribute values the release
/// discloses (the kept ones), as one stratum number per film (equal numbers: equal values). An
/// image-space mechanism discloses none: every film in one stratum.
struct DisclosedStrata {
    std::vector<int> gallery;  ///< one per gallery entry, in its order
    std::vector<int> probes;   ///< one per probe, in their order
};

/// What a nearest-neighbour attacker achieves against a gallery.
struct ReidentificationResult {
    std::size_t gallery_size = 0;
    std::size_t probes = 0;
    std::size_t top1_hits = 0;      ///< probes whose most similar gallery entry has their identity
    std::vector<bool> hit;          ///< per probe, in the probes' order: was it a top-1 hit
    std::vector<std::size_t> top1;  ///< per probe: the index of its most similar gallery entry (gallery_size when it matched none)
    double top1_rate = 0.0;         ///< top1_hits / probes
    ProportionInterval top1_interval;  ///< 95% Clopper-Pearson interval of top1_rate (probes as independent trials)
    double chance_rate = 0.0;       ///< 1 / gallery_size: a guess
    AucEstimate verification;       ///< ROC AUC of similarities: genuine (same identity) vs impostor pairs
    std::optional<double> tpr_at_fpr_1pct;   ///< genuine pairs accepted at 1% of impostor pairs accepted (absent under 100 impostors)
    std::optional<double> tpr_at_fpr_01pct;  ///< the same at 0.1% (absent under 1,000 impostor pairs)
    /// With DisclosedStrata: the top-1 rate these same guesses would have if the probes' films
    /// carried nothing of their patient beyond their disclosed attributes, i.e. if every probe's
    /// identity were drawn from the probes of its stratum: the mean over probes of the share of its
    /// stratum's probes that belong to the patient it was matched to. A guess that ignores the film
    /// (always the patient with most films, or the one nearest to a stratum's prototype) scores
    /// exactly this.
    std::optional<double> chance_given_disclosed;
    /// With DisclosedStrata: the verification AUC comparing, for each gallery entry, its genuine
    /// probes with the impostor probes of the same disclosed stratum (stratifiedDelongAuc, stratum =
    /// (gallery entry, probe's stratum); entries without two of each left out): 0.5 when a film
    /// carries nothing of its patient beyond its disclosed attributes, whatever the patients'
    /// numbers of films (which move the AUC over all pairs when every film of a stratum decodes alike).
    std::optional<AucEstimate> verification_within_disclosed;
};

/// Matches every probe against every gallery entry. Identification: the probe's top-1 gallery
/// entry (ties broken towards the first entry) is a hit when its identity matches. Verification:
/// each probe-gallery pair is scored by similarity, labelled genuine when the identities match;
/// the AUC (DeLong CI, pairs treated as independent, so the interval is optimistic) says how
/// well a threshold separates them. Every probe identity must be in the gallery; gallery
/// identities must be unique. Throws std::invalid_argument otherwise, for fewer than two probes,
/// unequal vector lengths, a gallery of fewer than two identities, or strata whose sizes are not
/// the gallery's and the probes'. With `disclosed`, also the figures given the disclosed
/// attributes (chance_given_disclosed, verification_within_disclosed).
ReidentificationResult matchIdentities(const IdentityFeatures& gallery, const IdentityFeatures& probes,
                                       FeatureSimilarity similarity = FeatureSimilarity::Cosine,
                                       const DisclosedStrata* disclosed = nullptr);

/// The result as a sweep stores it (and as describeAttackStrength prints it).
SweepAttackFigures attackFiguresOf(const ReidentificationResult& result);

/// Which manifest rows play gallery and probe.
struct ReidentificationProtocol {
    std::vector<std::size_t> gallery_rows;  ///< one original per patient
    std::vector<std::size_t> probe_rows;    ///< images to identify
};

/// Identification protocol: per patient (column `patient_column`) in `split` (all rows when
/// empty), the first row is the gallery image and every further row a probe (to be compared
/// after privatization). Patients with a single image appear in the gallery only (they make
/// the task harder, as in practice). Throws ManifestError when the column is missing or no
/// patient has two images.
ReidentificationProtocol identificationProtocol(const Manifest& manifest, const std::string& patient_column,
                                                const std::string& split);

/// Linkage protocol: the gallery as in identificationProtocol, and the probes are the gallery
/// images themselves (each to be replaced by its privatized version): can a released image be
/// linked back to its source? Throws ManifestError when the column is missing or the split is
/// empty.
ReidentificationProtocol linkageProtocol(const Manifest& manifest, const std::string& patient_column,
                                         const std::string& split);

}  // namespace dpflow
