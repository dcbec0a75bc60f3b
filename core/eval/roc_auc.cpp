#include "eval/roc_auc.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <stdexcept>

namespace dpflow {
namespace {

// Midranks (1-based, ties get the mean of their ranks) in O(n log n).
std::vector<double> midranks(const std::vector<double>& values) {
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
    std::vector<double> ranks(values.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j < order.size() && values[order[j]] == values[order[i]]) ++j;
        const double rank = 0.5 * static_cast<double>(i + j + 1);  // mean of ranks i+1 .. j
        for (std::size_t k = i; k < j; ++k) ranks[order[k]] = rank;
        i = j;
    }
    return ranks;
}

// DeLong's structural components of one score set: V10 per positive, V01 per negative.
struct StructuralComponents {
    double auc = 0.0;
    std::vector<double> v10;
    std::vector<double> v01;
};

StructuralComponents structuralComponents(const std::vector<double>& scores, const std::vector<int>& labels) {
    std::vector<double> positives, negatives;
    for (std::size_t i = 0; i < scores.size(); ++i) (labels[i] ? positives : negatives).push_back(scores[i]);
    const double m = static_cast<double>(positives.size());
    const double n = static_cast<double>(negatives.size());

    const std::vector<double> all_ranks = midranks(scores);
    const std::vector<double> positive_ranks = midranks(positives);
    const std::vector<double> negative_ranks = midranks(negatives);

    StructuralComponents components;
    double positive_rank_sum = 0.0;
    std::size_t p = 0, q = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        if (labels[i]) {
            // Negatives below this positive (ties 1/2) = its overall midrank minus its rank among positives.
            components.v10.push_back((all_ranks[i] - positive_ranks[p++]) / n);
            positive_rank_sum += all_ranks[i];
        } else {
            components.v01.push_back(1.0 - (all_ranks[i] - negative_ranks[q++]) / m);
        }
    }
    components.auc = (positive_rank_sum - m * (m + 1) / 2) / (m * n);
    return components;
}

double sampleCovariance(const std::vector<double>& a, const std::vector<double>& b) {
    const double n = static_cast<double>(a.size());
    const double mean_a = std::accumulate(a.begin(), a.end(), 0.0) / n;
    const double mean_b = std::accumulate(b.begin(), b.end(), 0.0) / n;
    double sum = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) sum += (a[i] - mean_a) * (b[i] - mean_b);
    return sum / (n - 1);
}

double normalQuantileTwoSided(double confidence) {
    if (!(confidence > 0.0 && confidence < 1.0)) throw std::invalid_argument("confidence must lie in (0, 1)");
    // Bisection on the normal upper tail: exact to double precision, no table.
    const double tail = (1.0 - confidence) / 2.0;
    double lo = 0.0, hi = 40.0;
    for (int i = 0; i < 200; ++i) {
        const double mid = 0.5 * (lo + hi);
        (0.5 * std::erfc(mid / std::sqrt(2.0)) > tail ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

void validate(const std::vector<double>& scores, const std::vector<int>& labels, const std::vector<int>& strata) {
    if (scores.size() != labels.size() || strata.size() != labels.size())
        throw std::invalid_argument("scores, labels and strata differ in size (" + std::to_string(scores.size()) + ", " +
                                    std::to_string(labels.size()) + ", " + std::to_string(strata.size()) + ")");
    for (int label : labels)
        if (label != 0 && label != 1) throw std::invalid_argument("labels must be 0 or 1");
    for (double s : scores)
        if (!std::isfinite(s)) throw std::invalid_argument("scores must be finite numbers");
}

// The cases of each stratum that has two positive and two negative cases (a variance exists).
std::vector<std::vector<std::size_t>> usableStrata(const std::vector<int>& labels, const std::vector<int>& strata) {
    std::map<int, std::vector<std::size_t>> cases;
    for (std::size_t i = 0; i < labels.size(); ++i) cases[strata[i]].push_back(i);
    std::vector<std::vector<std::size_t>> usable;
    std::size_t positives = 0;
    for (auto& [stratum, members] : cases) {
        const auto m = static_cast<std::size_t>(std::count_if(members.begin(), members.end(), [&](std::size_t i) { return labels[i] == 1; }));
        positives += m;
        if (m >= 2 && members.size() - m >= 2) usable.push_back(std::move(members));
    }
    if (usable.empty())
        throw std::invalid_argument(
            cases.size() == 1
                ? "an AUC with a confidence interval needs at least two positive and two negative cases (have " +
                      std::to_string(positives) + " and " + std::to_string(labels.size() - positives) + ")"
                : "a within-stratum AUC needs a stratum with at least two positive and two negative cases (none of " +
                      std::to_string(cases.size()) + " has)");
    return usable;
}

// One score set's structural components in every usable stratum, with the strata's weights.
struct StratifiedComponents {
    std::vector<StructuralComponents> strata;
    std::vector<double> weights;  ///< m_s n_s / sum m_s n_s
    double auc = 0.0;             ///< sum of weight x stratum AUC
    std::size_t positives = 0, negatives = 0;
};

StratifiedComponents stratifiedComponents(const std::vector<double>& scores, const std::vector<int>& labels,
                                          const std::vector<std::vector<std::size_t>>& usable) {
    StratifiedComponents out;
    double pairs = 0.0;
    for (const std::vector<std::size_t>& members : usable) {
        std::vector<double> stratum_scores;
        std::vector<int> stratum_labels;
        for (std::size_t i : members) {
            stratum_scores.push_back(scores[i]);
            stratum_labels.push_back(labels[i]);
        }
        out.strata.push_back(structuralComponents(stratum_scores, stratum_labels));
        const StructuralComponents& c = out.strata.back();
        out.weights.push_back(static_cast<double>(c.v10.size()) * static_cast<double>(c.v01.size()));
        pairs += out.weights.back();
        out.positives += c.v10.size();
        out.negatives += c.v01.size();
    }
    for (std::size_t s = 0; s < out.strata.size(); ++s) {
        out.weights[s] /= pairs;
        out.auc += out.weights[s] * out.strata[s].auc;
    }
    return out;
}

double delongVariance(const StructuralComponents& a, const StructuralComponents& b) {
    return sampleCovariance(a.v10, b.v10) / a.v10.size() + sampleCovariance(a.v01, b.v01) / a.v01.size();
}

// The DeLong covariance of two stratified estimates on the same cases (the variance when a == b).
double stratifiedCovariance(const StratifiedComponents& a, const StratifiedComponents& b) {
    double covariance = 0.0;
    for (std::size_t s = 0; s < a.strata.size(); ++s)
        covariance += a.weights[s] * a.weights[s] * delongVariance(a.strata[s], b.strata[s]);
    return covariance;
}

AucEstimate estimateFrom(const StratifiedComponents& c, double variance, double confidence) {
    AucEstimate estimate;
    estimate.auc = c.auc;
    estimate.standard_error = std::sqrt(std::max(variance, 0.0));
    const double z = normalQuantileTwoSided(confidence);
    estimate.ci_low = std::clamp(c.auc - z * estimate.standard_error, 0.0, 1.0);
    estimate.ci_high = std::clamp(c.auc + z * estimate.standard_error, 0.0, 1.0);
    estimate.confidence = confidence;
    estimate.positives = c.positives;
    estimate.negatives = c.negatives;
    return estimate;
}

}  // namespace

AucEstimate delongAuc(const std::vector<double>& scores, const std::vector<int>& labels, double confidence) {
    return stratifiedDelongAuc(scores, labels, std::vector<int>(labels.size(), 0), confidence);
}

AucEstimate stratifiedDelongAuc(const std::vector<double>& scores, const std::vector<int>& labels,
                                const std::vector<int>& strata, double confidence) {
    validate(scores, labels, strata);
    const StratifiedComponents c = stratifiedComponents(scores, labels, usableStrata(labels, strata));
    return estimateFrom(c, stratifiedCovariance(c, c), confidence);
}

PairedAucComparison pairedDelongTest(const std::vector<double>& first_scores, const std::vector<double>& second_scores,
                                     const std::vector<int>& labels, double confidence) {
    return pairedStratifiedDelongTest(first_scores, second_scores, labels, std::vector<int>(labels.size(), 0), confidence);
}

PairedAucComparison pairedStratifiedDelongTest(const std::vector<double>& first_scores,
                                               const std::vector<double>& second_scores, const std::vector<int>& labels,
                                               const std::vector<int>& strata, double confidence) {
    validate(first_scores, labels, strata);
    validate(second_scores, labels, strata);
    const std::vector<std::vector<std::size_t>> usable = usableStrata(labels, strata);
    const StratifiedComponents a = stratifiedComponents(first_scores, labels, usable);
    const StratifiedComponents b = stratifiedComponents(second_scores, labels, usable);

    PairedAucComparison comparison;
    comparison.first = estimateFrom(a, stratifiedCovariance(a, a), confidence);
    comparison.second = estimateFrom(b, stratifiedCovariance(b, b), confidence);
    comparison.difference = a.auc - b.auc;
    const double variance = stratifiedCovariance(a, a) + stratifiedCovariance(b, b) - 2.0 * stratifiedCovariance(a, b);
    comparison.standard_error = std::sqrt(std::max(variance, 0.0));
    if (comparison.standard_error > 0.0) {
        comparison.z = comparison.difference / comparison.standard_error;
        comparison.p_value = std::erfc(std::abs(comparison.z) / std::sqrt(2.0));
    }
    return comparison;
}

std::optional<double> truePositiveRateAt(const std::vector<double>& scores, const std::vector<int>& labels, double fpr) {
    if (scores.size() != labels.size()) throw std::invalid_argument("scores and labels differ in number");
    if (!(fpr > 0.0 && fpr < 1.0)) throw std::invalid_argument("the false-positive rate must be in (0, 1)");
    std::vector<double> negatives, positives;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        if (labels[i] != 0 && labels[i] != 1) throw std::invalid_argument("labels must be 0 or 1");
        (labels[i] == 1 ? positives : negatives).push_back(scores[i]);
    }
    if (positives.empty()) throw std::invalid_argument("a true-positive rate needs at least one positive");
    if (static_cast<double>(negatives.size()) * fpr < 1.0) return std::nullopt;
    const auto allowed = static_cast<std::size_t>(std::floor(fpr * static_cast<double>(negatives.size())));
    std::sort(negatives.begin(), negatives.end(), std::greater<>());
    const double threshold = negatives[allowed];  // the highest negative score that must not pass
    const auto above = std::count_if(positives.begin(), positives.end(), [&](double s) { return s > threshold; });
    return static_cast<double>(above) / static_cast<double>(positives.size());
}

std::optional<double> withinGroupConcordance(const std::vector<double>& first, const std::vector<double>& second,
                                             const std::vector<int>& groups) {
    if (first.size() != second.size() || first.size() != groups.size())
        throw std::invalid_argument("the concordance needs one score of each set and one group per case");
    double agreement = 0.0;
    std::size_t pairs = 0;
    for (std::size_t i = 0; i < first.size(); ++i)
        for (std::size_t j = i + 1; j < first.size(); ++j) {
            if (groups[i] != groups[j]) continue;
            const double a = first[i] - first[j], b = second[i] - second[j];
            agreement += a == 0.0 || b == 0.0 ? 0.5 : (a > 0.0) == (b > 0.0) ? 1.0 : 0.0;
            ++pairs;
        }
    if (pairs == 0) return std::nullopt;
    return agreement / static_cast<double>(pairs);
}

}  // namespace dpflow
