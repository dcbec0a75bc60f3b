#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dpflow {

/// A ROC AUC as a sweep reports it: the estimate, its 95% DeLong interval and the case counts.
struct SweepAuc {
    double auc = 0.0;           ///< P(score of a positive > score of a negative), ties count 1/2
    double ci_low = 0.0;        ///< lower end of the 95% DeLong interval, clipped to [0, 1]
    double ci_high = 0.0;       ///< upper end
    std::size_t positives = 0;  ///< test cases with label 1
    std::size_t negatives = 0;  ///< test cases with label 0
};

/// One attacker's success in one protocol (identification or linkage). Absent (nullopt) when the
/// sweep did not run re-identification.
struct SweepAttackFigures {
    std::optional<double> top1_rate;         ///< probes whose nearest gallery entry is their patient
    std::optional<std::size_t> top1_hits;    ///< how many probes that is
    std::optional<std::size_t> films_hit;    ///< distinct probe films hit in at least one attack draw (hits cluster in films: the verdict's design effect)
    std::optional<double> top1_ci_low;       ///< 95% Clopper-Pearson interval of top1_rate
    std::optional<double> top1_ci_high;      ///< its upper end: what the verdict judges (sweep_summary.h)
    std::optional<double> chance_rate;       ///< 1 / gallery size: what a guess achieves
    std::optional<double> verification_auc;  ///< ROC AUC of genuine vs impostor probe-gallery similarities
    std::optional<double> verification_ci_low;   ///< its 95% DeLong interval (optimistic: pairs taken as independent)
    std::optional<double> verification_ci_high;  ///< upper end
    std::optional<double> tpr_at_fpr_1pct;   ///< genuine pairs accepted when 1% of impostor pairs are
    std::optional<double> tpr_at_fpr_01pct;  ///< the same at 0.1% (absent under 1,000 impostor pairs)
    std::optional<std::size_t> probes;       ///< probes matched
    /// The top-1 rate these guesses would have if a released film carried nothing of its patient
    /// beyond its disclosed (kept) attributes (reidentification.h): chance for the verdict on what
    /// the image adds (sweep_summary.h, ChanceBaseline::DisclosedAttributes).
    std::optional<double> chance_given_disclosed;
    std::optional<double> verification_within_disclosed_auc;      ///< verification AUC per gallery entry over probes with the same disclosed attributes (reidentification.h)
    std::optional<double> verification_within_disclosed_ci_low;   ///< its 95% DeLong interval (pairs taken as independent)
    std::optional<double> verification_within_disclosed_ci_high;  ///< upper end
};

/// The attackers, each in both protocols. Identification: gallery = one
/// original per patient, probes = privatized *other* acquisitions. Linkage: probes = the
/// privatized versions of the gallery images themselves.
struct SweepAttackerFigures {
    SweepAttackFigures identification;
    SweepAttackFigures linkage;
    /// Whether the attacker ran: false for a file written before it existed, or a sweep without --reid.
    bool measured() const { return identification.top1_rate || linkage.top1_rate; }
};

/// The attackers, in the order of SweepRow's fields and of the CSV columns.
enum class SweepAttacker {
    Pixel,      ///< nearest neighbour on normalised pixels
    Embedding,  ///< nearest neighbour on the learned embeddings: identification by the re-identification attacker (trained on training patients' originals), linkage by the linkage attacker when one is given (trained on privatized copies of public films), else by the same
    Latent,     ///< nearest neighbour in the flow's standardised latent (probes encoded with the flow)
    /// Nearest neighbour on one number: the logit of the public evaluation classifier's score of
    /// the film (classifierScoreFeatures). The finding the image-borne measure counts is itself a
    /// mark of the patient: an attacker who holds the original and the shipped classifier compares
    /// their scores.
    Score,
};

/// Every attacker, in order (for loops over columns and plot series).
inline constexpr SweepAttacker kSweepAttackers[] = {SweepAttacker::Pixel, SweepAttacker::Embedding,
                                                    SweepAttacker::Latent, SweepAttacker::Score};

/// Name used in CSV columns and plots: "pixel", "embedding", "latent". Inline, like the other
/// helpers here, so torch-free readers (ui/) can use them with this header alone.
inline const char* sweepAttackerName(SweepAttacker attacker) {
    switch (attacker) {
    case SweepAttacker::Pixel: return "pixel";
    case SweepAttacker::Embedding: return "embedding";
    case SweepAttacker::Latent: return "latent";
    case SweepAttacker::Score: return "score";
    }
    return "unknown";
}

/// Every figure of one (mechanism, eps) point. Absent values are std::nullopt (an empty CSV cell,
/// JSON null): a protocol or attack that was not asked for, or that could not be computed (e.g.
/// one class only among the test cases).
struct SweepRow {
    std::string mechanism;   ///< "dpglow", "cadp", "pixel", "dppix", "allocated" (or "allocated:FILE-STEM" when several allocations are swept); "original" for the unprivatized baseline
    double epsilon = 0.0;    ///< the mechanism's eps; +infinity for the "original" row
    std::optional<double> noise_scale;  ///< Laplace scale b per element (latent or pixel) at this eps
    std::size_t test_images = 0;        ///< privatized test images the utility figures are computed on
    std::size_t nonfinite_images = 0;   ///< privatized test images that decoded with NaN/inf pixels, or that the privatizer refused to release for that reason (scored with those pixels at 0, i.e. black)
    std::optional<SweepAuc> protocol_a; ///< classifier trained on originals, scored on privatized test images
    std::optional<SweepAuc> protocol_b; ///< classifier trained on privatized training images, scored on original test images
    /// The image-borne measure (docs/privacy-implementation.md, "What the image carries"): the
    /// released image re-encoded under its released attributes, decoded under every value of the
    /// label attribute, and the classifier's scores of those decodes averaged: symmetric in the
    /// disclosed label, so only what the latent carries of the finding moves it. For a flow not
    /// conditioned on the label (settings.image_borne_as_released), the score of the film as released.
    std::optional<SweepAuc> image_borne;
    /// Within-label agreement: the C-index, over pairs of films with the same label, of the
    /// classifier's scores on the released films against its scores on the originals
    /// (withinGroupConcordance): 1 on the originals, 0.5 when the released film keeps nothing of how
    /// the classifier ranks its patient among those with the same (disclosed) label.
    std::optional<double> within_label_concordance;
    std::optional<double> image_borne_difference;  ///< this row's image-borne AUC minus the originals', paired DeLong on the same films
    std::optional<double> image_borne_difference_low;   ///< its 95% CI
    std::optional<double> image_borne_difference_high;
    std::optional<double> image_borne_difference_p;     ///< two-sided p of the paired DeLong test
    /// The image-borne AUC over pairs of one film with the finding and one without that share their
    /// disclosed (kept) attribute values other than the label (stratifiedDelongAuc): no disclosed
    /// attribute, and no prototype it decodes to, can move it. Image-space mechanisms disclose
    /// none: then it is the image-borne AUC.
    std::optional<SweepAuc> image_borne_matched;
    std::optional<double> image_borne_matched_difference;       ///< minus the originals' on the same films and strata, paired
    std::optional<double> image_borne_matched_difference_low;   ///< its 95% CI
    std::optional<double> image_borne_matched_difference_high;
    std::optional<double> image_borne_matched_difference_p;     ///< two-sided p
    /// Each test film's stratum of disclosed attribute values under this row's mechanism, in the
    /// order of SweepResults::test_labels (JSON only; `dpflow sweep-compare --matched`).
    std::vector<int> disclosed_strata;
    /// The classifier's image-borne score of every test film, in the order of SweepResults::test_labels
    /// (JSON only), so two rows can be compared film by film (`dpflow sweep-compare`).
    std::vector<double> image_borne_scores;
    std::optional<double> mean_ssim;    ///< mean SSIM of privatized test images to their originals
    std::optional<double> mean_psnr;    ///< mean PSNR in dB (finite values only; identical images are left out)
    SweepAttackerFigures pixel_attacker;
    SweepAttackerFigures embedding_attacker;
    SweepAttackerFigures latent_attacker;
    SweepAttackerFigures score_attacker;  ///< absent in files written before the score attacker
};

/// The figures of `attacker` in `row`.
inline const SweepAttackerFigures& attackerFigures(const SweepRow& row, SweepAttacker attacker) {
    switch (attacker) {
    case SweepAttacker::Pixel: return row.pixel_attacker;
    case SweepAttacker::Embedding: return row.embedding_attacker;
    case SweepAttacker::Latent: return row.latent_attacker;
    case SweepAttacker::Score: break;
    }
    return row.score_attacker;
}
inline SweepAttackerFigures& attackerFigures(SweepRow& row, SweepAttacker attacker) {
    return const_cast<SweepAttackerFigures&>(attackerFigures(static_cast<const SweepRow&>(row), attacker));
}

/// What the sweep was asked to do. Everything here except the paths enters the cache key.
struct SweepSettings {
    std::string model_path;        ///< flow (.safetensors); needed for dpglow/cadp and the latent attacker
    std::string classifier_path;   ///< downstream classifier (.safetensors), trained on originals
    std::string data_path;         ///< manifest (CSV) of the study
    std::vector<std::string> mechanisms;  ///< in the order swept
    std::vector<double> epsilons;         ///< in the order swept (every mechanism gets every eps)
    bool protocol_a = true;        ///< score the originals' classifier on privatized test images
    bool protocol_b = false;       ///< train a classifier on privatized training images
    int protocol_b_epochs = 3;     ///< training epochs of the protocol (b) classifier
    std::size_t protocol_b_max_training_images = 0;  ///< evenly spaced over the training split; 0 = every training image
    bool reidentification = false; ///< run the attackers (needs patients with several images)
    /// Under --reid: independent privatizations of every test film the attackers see, each a probe
    /// (probes = films x draws). With n probes and no hit the 95% upper bound of a top-1 rate is
    /// about 3.7 / n, and linkage has one film per gallery entry (3.7 / g > twice chance 2 / g): one
    /// draw can never show linkage at chance. The utility figures use the first draw. "1" in files
    /// written before this setting existed.
    int attack_draws = 4;
    int embedding_steps = 300;     ///< optimisation steps of the embedding attacker when none is given (trained on training patients' originals)
    std::string embedding_path;    ///< a trained embedding attacker (`dpflow reid-embedding`, e.g. the one shipped beside the model); empty: train one on the training split
    std::string linkage_embedding_path;  ///< a trained linkage attacker (`dpflow reid-embedding --linkage-model`): the embedding attacker's linkage figures use it; empty: the embedding attacker's own model
    std::string split = "test";    ///< manifest split evaluated (empty: all rows)
    std::string training_split = "train";  ///< split for protocol (b) and the embedding attacker
    std::string label_column;      ///< binary label column (empty: the classifier card's)
    std::string patient_column = "patient_id";  ///< identity column for re-identification
    std::size_t max_images = 0;    ///< at most this many test images, evenly spaced over the split (whole patients under --reid, so a label-sorted manifest still gives both classes); 0 = all
    std::vector<std::string> keep_attributes;     ///< latent mechanisms: model attributes disclosed (empty keep and protect: keep all)
    std::vector<std::string> protect_attributes;  ///< latent mechanisms: "NAME:EPS" items, as `dpflow privatize --protect`
    std::vector<std::string> allocations;  ///< allocated: allocation files, one set of rows each (empty: MODEL.allocation.json beside the model)
    std::string image_borne_attribute;     ///< the label attribute of the image-borne measure (empty: not computed)
    /// The image-borne measure for a flow NOT conditioned on the label: the classifier's score of
    /// each released film as released (its decoder was never told the finding, so nothing is
    /// averaged). Refused when a flow attribute carries the label. Excludes image_borne_attribute.
    bool image_borne_as_released = false;
    std::string latent_decoding = "shrink";  ///< dpglow, cadp: how u~ is decoded, "shrink" or "direct" (privacy/mechanism_settings.h); "unrecorded" in files written before this setting existed
    std::uint64_t seed = 1;        ///< seeds the evaluation noise (seeded test randomness: figures, never a release)
};

/// SHA-256 (lowercase hex) of the inputs the figures depend on.
struct SweepInputHashes {
    std::string model_sha256;       ///< flow file ("" when no model was given)
    std::string classifier_sha256;  ///< classifier file
    std::string data_sha256;        ///< manifest bytes and every image file it lists (see hashSweepData)
    std::string embedding_sha256;   ///< embedding attacker file ("" when the sweep trained its own)
    std::string linkage_embedding_sha256;  ///< linkage attacker file ("" when none was given)
    std::vector<std::string> allocation_sha256;  ///< each allocation file swept, in order
};

/// A whole sweep: what was asked, on what, and every row.
struct SweepResults {
    SweepSettings settings;
    SweepInputHashes hashes;
    std::string cache_key;          ///< sweepCacheKey(settings, hashes)
    std::string created_utc;        ///< ISO 8601, when the figures were computed
    double wall_seconds = 0.0;      ///< time the computation took (not a cache read)
    std::optional<SweepRow> original;  ///< the unprivatized baseline (mechanism "original", eps +inf)
    std::vector<int> test_labels;   ///< the test films' labels in the order of the rows' per-film scores (JSON only)
    std::vector<SweepRow> rows;     ///< one per (mechanism, eps), mechanism-major
};

/// Writes `csv_path` (one row per line, the baseline first, header naming every column; absent
/// values as empty cells; numbers with 17 significant digits so they read back exactly) and
/// sweepJsonPath(csv_path) (settings, hashes, cache key, timing and the rows again, absent as
/// null). Both are written to temporaries and renamed, so a reader never sees half a file.
/// Throws std::runtime_error naming the file when it cannot be written.
void writeSweepResults(const SweepResults& results, const std::filesystem::path& csv_path);

/// Reads what writeSweepResults wrote: settings, hashes and timing from the JSON beside the CSV,
/// rows from the CSV. Throws std::runtime_error naming the file and the reason when either is
/// missing, malformed, or the two disagree (a different number of rows).
SweepResults readSweepResults(const std::filesystem::path& csv_path);

/// The JSON beside a results CSV: "results.csv" -> "results.json".
std::filesystem::path sweepJsonPath(const std::filesystem::path& csv_path);

/// The settings as written in the results JSON (paths, mechanisms, eps, protocols, ...); the
/// cache key is built from the same object, so a new setting cannot be left out of either.
nlohmann::ordered_json sweepSettingsToJson(const SweepSettings& settings);

/// The CSV header writeSweepResults writes, in order (for readers and tests).
std::vector<std::string> sweepCsvColumns();

}  // namespace dpflow
