#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace dpflow {

/// ROC AUC of one score set with its DeLong variance and confidence interval.
struct AucEstimate {
    double auc = 0.0;             ///< P(score of a positive > score of a negative), ties count 1/2
    double standard_error = 0.0;  ///< sqrt of the DeLong variance
    double ci_low = 0.0;          ///< lower end of the confidence interval, clipped to [0, 1]
    double ci_high = 0.0;         ///< upper end, clipped to [0, 1]
    double confidence = 0.95;     ///< coverage of [ci_low, ci_high]
    std::size_t positives = 0;    ///< cases with label 1
    std::size_t negatives = 0;    ///< cases with label 0
};

/// ROC AUC with a Wald interval AUC +- z * SE from DeLong, DeLong and Clarke-Pearson (1988),
/// computed in O(n log n) with the midrank algorithm of Sun and Xu (2014). `labels` are 0 or 1,
/// higher scores mean "more likely positive". Throws std::invalid_argument when the sizes
/// differ, a label is not 0/1, or either class has fewer than two cases (no variance estimate).
AucEstimate delongAuc(const std::vector<double>& scores, const std::vector<int>& labels,
                      double confidence = 0.95);

/// True-positive rate at a false-positive rate of at most `fpr` (the membership-inference and
/// biometric convention, e.g. 0.01 and 0.001): the threshold is set just above the
/// (floor(fpr x negatives) + 1)-th highest negative score, and the rate is the share of positives
/// scoring strictly above it (so ties with negatives never count). Absent when the negatives are
/// fewer than 1 / fpr: below that the rate cannot be read at that FPR. Throws
/// std::invalid_argument when the sizes differ, a label is not 0/1, there is no positive, or fpr
/// is not in (0, 1).
std::optional<double> truePositiveRateAt(const std::vector<double>& scores, const std::vector<int>& labels, double fpr);

/// How often two score sets on the same cases order a pair of cases alike, over the pairs whose
/// cases are in the same group (e.g. the same disclosed label): concordant pairs count 1, ties in
/// either set 1/2, discordant 0; the mean over comparable pairs (a C-index, 0.5: no agreement,
/// 1: the same order). Pairs across groups are left out, so a group-wise shift of the scores, which
/// is all a disclosed label can paint, cannot raise it. Absent when no group has two cases.
/// Throws std::invalid_argument when the sizes differ.
std::optional<double> withinGroupConcordance(const std::vector<double>& first, const std::vector<double>& second,
                                             const std::vector<int>& groups);

/// ROC AUC over the positive-negative pairs whose two cases are in the same stratum (e.g. the same
/// disclosed sex and view): the share of such pairs the scores order rightly, ties 1/2. Nothing
/// that is constant within a stratum (a disclosed attribute, or a score shift it paints) can move
/// it. It is the weighted mean of the strata's AUCs, weights m_s n_s / sum m_s n_s, and its
/// variance the same weighted sum (squared weights) of the strata's DeLong variances (strata are
/// independent). Strata with fewer than two positive or two negative cases have no variance
/// estimate and are left out (positives and negatives count the cases used). With one stratum it
/// is delongAuc. Throws std::invalid_argument when the sizes differ, a label is not 0/1, a score
/// is not finite, or no stratum has two cases of each class.
AucEstimate stratifiedDelongAuc(const std::vector<double>& scores, const std::vector<int>& labels,
                                const std::vector<int>& strata, double confidence = 0.95);

/// DeLong's test that two score sets on the same cases have equal AUC.
struct PairedAucComparison {
    AucEstimate first;
    AucEstimate second;
    double difference = 0.0;      ///< first.auc - second.auc
    double standard_error = 0.0;  ///< of the difference, with the covariance of the pair
    double z = 0.0;               ///< difference / standard_error (0 when both are identical)
    double p_value = 1.0;         ///< two-sided, from the standard normal
};

/// Compares two score sets on the same cases (same labels). Throws as delongAuc does, and when
/// the score sets differ in size.
PairedAucComparison pairedDelongTest(const std::vector<double>& first_scores,
                                     const std::vector<double>& second_scores,
                                     const std::vector<int>& labels, double confidence = 0.95);

/// pairedDelongTest on the within-stratum AUCs of stratifiedDelongAuc (the same strata for both
/// score sets; the covariance summed over strata as the variance is). Throws as
/// stratifiedDelongAuc does.
PairedAucComparison pairedStratifiedDelongTest(const std::vector<double>& first_scores,
                                               const std::vector<double>& second_scores,
                                               const std::vector<int>& labels, const std::vector<int>& strata,
                                               double confidence = 0.95);

}  // namespace dpflow
