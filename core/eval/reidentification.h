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

/// What a nearest-neighbour attacker achieves against a gallery.
struct ReidentificationResult {
    std::size_t gallery_size = 0;
    std::size_t probes = 0;
    std::size_t top1_hits = 0;      ///< probes whose most similar gallery entry has their identity
    std::vector<bool> hit;          ///< per probe, in the probes' order: was it a top-1 hit
    double top1_rate = 0.0;         ///< top1_hits / probes
    ProportionInterval top1_interval;  ///< 95% Clopper-Pearson interval of top1_rate (probes as independent trials)
    double chance_rate = 0.0;       ///< 1 / gallery_size: a guess
    AucEstimate verification;       ///< ROC AUC of similarities: genuine (same identity) vs impostor pairs
    std::optional<double> tpr_at_fpr_1pct;   ///< genuine pairs accepted at 1% of impostor pairs accepted (absent under 100 impostors)
    std::optional<double> tpr_at_fpr_01pct;  ///< the same at 0.1% (absent under 1,000 impostor pairs)
};

/// Matches every probe against every gallery entry. Identification: the probe's top-1 gallery
/// entry (ties broken towards the first entry) is a hit when its identity matches. Verification:
/// each probe-gallery pair is scored by similarity, labelled genuine when the identities match;
/// the AUC (DeLong CI, pairs treated as independent, so the interval is optimistic) says how
/// well a threshold separates them. Every probe identity must be in the gallery; gallery
/// identities must be unique. Throws std::invalid_argument otherwise, for fewer than two probes,
/// unequal vector lengths, or a gallery of fewer than two identities.
ReidentificationResult matchIdentities(const IdentityFeatures& gallery, const IdentityFeatures& probes,
                                       FeatureSimilarity similarity = FeatureSimilarity::Cosine);

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
