#include "eval/roc_auc.h"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <random>
#include <vector>

namespace dpflow {
namespace {

// Builds (scores, labels) from separate positive and negative score lists.
void append(std::vector<double>& scores, std::vector<int>& labels, const std::vector<double>& values, int label) {
    for (double v : values) {
        scores.push_back(v);
        labels.push_back(label);
    }
}

// Hanley and McNeil (Radiology 1982), Table 1: 5-point ratings of 58 normal and 51 abnormal CT
// images. The paper reports AUC 0.893; the DeLong SE 0.0307244 and the paired figures below were
// computed independently with a brute-force O(m n) Python implementation of DeLong's formulas.
void hanleyMcNeil(std::vector<double>& scores, std::vector<int>& labels, bool perturbed = false) {
    const int normal_counts[] = {33, 6, 6, 11, 2};
    const int abnormal_counts[] = {3, 2, 2, 11, 33};
    int normal_index = 0, abnormal_index = 0;
    for (int rating = 1; rating <= 5; ++rating) {
        for (int k = 0; k < abnormal_counts[rating - 1]; ++k, ++abnormal_index)
            append(scores, labels, {rating + (perturbed && abnormal_index % 3 == 0 ? 0.5 : 0.0)}, 1);
        for (int k = 0; k < normal_counts[rating - 1]; ++k, ++normal_index)
            append(scores, labels, {rating + (perturbed && normal_index % 2 == 0 ? 0.5 : 0.0)}, 0);
    }
}

TEST(DelongAuc, MatchesAHandWorkedCase) {
    // Positives 0.9, 0.8, 0.4 and negatives 0.7, 0.3, 0.2: 8 of 9 pairs ordered, AUC 8/9.
    // V10 = (1, 1, 2/3), V01 = (2/3, 1, 1): each sample variance 1/27, Var = 2 * (1/27) / 3.
    std::vector<double> scores;
    std::vector<int> labels;
    append(scores, labels, {0.9, 0.8, 0.4}, 1);
    append(scores, labels, {0.7, 0.3, 0.2}, 0);
    const AucEstimate estimate = delongAuc(scores, labels);
    EXPECT_NEAR(estimate.auc, 8.0 / 9.0, 1e-12);
    EXPECT_NEAR(estimate.standard_error, std::sqrt(2.0 / 81.0), 1e-12);
    EXPECT_EQ(estimate.positives, 3u);
    EXPECT_EQ(estimate.negatives, 3u);
}

TEST(DelongAuc, CountsTiesAsHalf) {
    std::vector<double> scores;
    std::vector<int> labels;
    append(scores, labels, {1.0, 1.0}, 1);
    append(scores, labels, {1.0, 1.0}, 0);
    EXPECT_NEAR(delongAuc(scores, labels).auc, 0.5, 1e-12);
}

TEST(DelongAuc, ReproducesHanleyAndMcNeilsRatingData) {
    std::vector<double> scores;
    std::vector<int> labels;
    hanleyMcNeil(scores, labels);
    const AucEstimate estimate = delongAuc(scores, labels);
    EXPECT_NEAR(estimate.auc, 0.8931710615, 1e-9);
    EXPECT_NEAR(estimate.standard_error, 0.0307244084, 1e-9);
    EXPECT_NEAR(estimate.ci_low, 0.8329523277, 1e-8);
    EXPECT_NEAR(estimate.ci_high, 0.9533897954, 1e-8);
}

TEST(DelongAuc, ClipsTheIntervalToTheUnitRange) {
    std::vector<double> scores;
    std::vector<int> labels;
    append(scores, labels, {0.9, 0.95, 0.99}, 1);
    append(scores, labels, {0.1, 0.2, 0.91}, 0);
    const AucEstimate estimate = delongAuc(scores, labels);
    EXPECT_LE(estimate.ci_high, 1.0);
    EXPECT_GE(estimate.ci_low, 0.0);
}

TEST(DelongAuc, RefusesInputsWithoutAVarianceEstimate) {
    EXPECT_THROW(delongAuc({0.1, 0.2, 0.3}, {1, 0, 0}), std::invalid_argument);
    EXPECT_THROW(delongAuc({0.1, 0.2}, {1, 0, 0}), std::invalid_argument);
    EXPECT_THROW(delongAuc({0.1, 0.2, 0.3, 0.4}, {1, 2, 0, 1}), std::invalid_argument);
    EXPECT_THROW(delongAuc({0.1, NAN, 0.3, 0.4}, {1, 1, 0, 0}), std::invalid_argument);
}

TEST(PairedDelongTest, MatchesAnIndependentComputation) {
    std::vector<double> first, second;
    std::vector<int> labels, same_labels;
    hanleyMcNeil(first, labels);
    hanleyMcNeil(second, same_labels, true);
    const PairedAucComparison comparison = pairedDelongTest(first, second, labels);
    EXPECT_NEAR(comparison.second.auc, 0.8845503719, 1e-9);
    EXPECT_NEAR(comparison.z, 1.0796394123, 1e-8);
    EXPECT_NEAR(comparison.p_value, 0.2803027837, 1e-8);
}

TEST(PairedDelongTest, IsSymmetricInItsTwoScoreSets) {
    std::vector<double> first, second;
    std::vector<int> labels, same_labels;
    hanleyMcNeil(first, labels);
    hanleyMcNeil(second, same_labels, true);
    const auto forward = pairedDelongTest(first, second, labels);
    const auto backward = pairedDelongTest(second, first, labels);
    EXPECT_NEAR(forward.z, -backward.z, 1e-12);
    EXPECT_NEAR(forward.p_value, backward.p_value, 1e-12);
}

TEST(PairedDelongTest, IdenticalScoresGiveNoDifference) {
    std::vector<double> scores;
    std::vector<int> labels;
    hanleyMcNeil(scores, labels);
    const auto comparison = pairedDelongTest(scores, scores, labels);
    EXPECT_EQ(comparison.difference, 0.0);
    EXPECT_EQ(comparison.p_value, 1.0);
}

TEST(PairedDelongTest, IsCalibratedOnNullData) {
    // Two independent noisy readers of the same signal have equal true AUC: at the 5% level the
    // test should reject about 5% of 400 repetitions. Bounds: binomial(400, 0.05) within 1e-6 tails.
    std::mt19937_64 engine(2024);
    std::normal_distribution<double> noise(0.0, 1.0);
    int rejections = 0;
    const int repetitions = 400, cases = 200;
    for (int r = 0; r < repetitions; ++r) {
        std::vector<double> a, b;
        std::vector<int> labels;
        for (int i = 0; i < cases; ++i) {
            const int label = i % 2;
            const double signal = label ? 1.0 : 0.0;
            a.push_back(signal + noise(engine));
            b.push_back(signal + noise(engine));
            labels.push_back(label);
        }
        rejections += pairedDelongTest(a, b, labels).p_value < 0.05;
    }
    EXPECT_GE(rejections, 3);
    EXPECT_LE(rejections, 46);
}

TEST(StratifiedDelongAuc, WithOneStratumIsTheDelongAuc) {
    std::vector<double> scores;
    std::vector<int> labels;
    hanleyMcNeil(scores, labels);
    const AucEstimate plain = delongAuc(scores, labels);
    const AucEstimate stratified = stratifiedDelongAuc(scores, labels, std::vector<int>(labels.size(), 7));
    EXPECT_EQ(stratified.auc, plain.auc);
    EXPECT_EQ(stratified.standard_error, plain.standard_error);
}

TEST(StratifiedDelongAuc, IgnoresWhatIsConstantWithinAStratum) {
    // Stratum 0 holds most positives, stratum 1 most negatives, and stratum 1's scores are all
    // shifted down by 10: pooled, the shift ranks every stratum-0 film above every stratum-1 film.
    // Within a stratum the shift changes no order, so the within-stratum AUC is untouched by it.
    std::vector<double> scores = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, -9.9, -9.8, -9.7, -9.6, -9.5, -9.4};
    std::vector<int> labels = {1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0};
    std::vector<int> strata = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
    const double pooled = delongAuc(scores, labels).auc;
    // Stratum 0: positives 0.1, 0.3, 0.5, 0.6 against negatives 0.2, 0.4: 0+1+2+2 = 5 of 8.
    // Stratum 1: positives -9.8, -9.5 against negatives -9.9, -9.7, -9.6, -9.4: 1+3 = 4 of 8.
    const AucEstimate within = stratifiedDelongAuc(scores, labels, strata);
    EXPECT_NEAR(within.auc, (5.0 + 4.0) / 16.0, 1e-12);
    EXPECT_NEAR(pooled, (16.0 + 5.0 + 4.0) / 36.0, 1e-12);  // + stratum 0's positives above all of stratum 1's negatives
    for (std::size_t i = 6; i < scores.size(); ++i) scores[i] += 100.0;  // another shift of stratum 1
    EXPECT_NEAR(stratifiedDelongAuc(scores, labels, strata).auc, within.auc, 1e-12);
}

TEST(StratifiedDelongAuc, WeighsStrataByTheirPairsAndAddsTheirVariances) {
    std::vector<double> scores, first_scores;
    std::vector<int> labels, first_labels, strata;
    hanleyMcNeil(first_scores, first_labels);
    std::vector<double> second_scores = {0.9, 0.8, 0.4, 0.7, 0.3, 0.2};
    std::vector<int> second_labels = {1, 1, 1, 0, 0, 0};
    for (std::size_t i = 0; i < first_scores.size(); ++i) {
        scores.push_back(first_scores[i]);
        labels.push_back(first_labels[i]);
        strata.push_back(0);
    }
    for (std::size_t i = 0; i < second_scores.size(); ++i) {
        scores.push_back(second_scores[i] + 100.0);
        labels.push_back(second_labels[i]);
        strata.push_back(1);
    }
    const AucEstimate a = delongAuc(first_scores, first_labels), b = delongAuc(second_scores, second_labels);
    const double wa = 51.0 * 58.0, wb = 9.0;
    const AucEstimate combined = stratifiedDelongAuc(scores, labels, strata);
    EXPECT_NEAR(combined.auc, (wa * a.auc + wb * b.auc) / (wa + wb), 1e-12);
    const double variance = (wa * wa * a.standard_error * a.standard_error + wb * wb * b.standard_error * b.standard_error) /
                            ((wa + wb) * (wa + wb));
    EXPECT_NEAR(combined.standard_error, std::sqrt(variance), 1e-12);
    EXPECT_EQ(combined.positives, 54u);
    EXPECT_EQ(combined.negatives, 61u);
}

TEST(StratifiedDelongAuc, LeavesOutStrataWithoutTwoCasesOfEachClass) {
    // Stratum 1 has one positive: it has no variance estimate and is left out.
    const std::vector<double> scores = {0.9, 0.8, 0.4, 0.7, 0.3, 0.2, 0.0, 1.0, 1.0};
    const std::vector<int> labels = {1, 1, 1, 0, 0, 0, 1, 0, 0};
    const std::vector<int> strata = {0, 0, 0, 0, 0, 0, 1, 1, 1};
    const AucEstimate estimate = stratifiedDelongAuc(scores, labels, strata);
    EXPECT_NEAR(estimate.auc, 8.0 / 9.0, 1e-12);
    EXPECT_EQ(estimate.positives, 3u);
    EXPECT_EQ(estimate.negatives, 3u);
    EXPECT_THROW(stratifiedDelongAuc({0.1, 0.2, 0.3, 0.4}, {1, 0, 1, 0}, {0, 0, 1, 1}), std::invalid_argument);
    EXPECT_THROW(stratifiedDelongAuc({0.1, 0.2, 0.3, 0.4}, {1, 0, 1, 0}, {0, 0, 1}), std::invalid_argument);
}

TEST(PairedStratifiedDelongTest, WithOneStratumIsThePairedDelongTest) {
    std::vector<double> first, second;
    std::vector<int> labels, same_labels;
    hanleyMcNeil(first, labels);
    hanleyMcNeil(second, same_labels, true);
    const auto plain = pairedDelongTest(first, second, labels);
    const auto stratified = pairedStratifiedDelongTest(first, second, labels, std::vector<int>(labels.size(), 0));
    EXPECT_EQ(stratified.z, plain.z);
    EXPECT_EQ(stratified.p_value, plain.p_value);
}

TEST(PairedStratifiedDelongTest, SeesNoDifferenceWhereTwoScoreSetsDifferOnlyByAShiftPerStratum) {
    // The second set is the first plus a different constant in each stratum: the pairs across
    // strata reorder, the pairs within one do not.
    std::vector<double> first, second;
    std::vector<int> labels, strata;
    std::mt19937_64 engine(7);
    std::normal_distribution<double> noise(0.0, 1.0);
    for (int i = 0; i < 120; ++i) {
        const int label = i % 2, stratum = (i / 2) % 3;
        first.push_back(label * 0.8 + noise(engine));
        second.push_back(first.back() + (stratum == 0 ? 0.0 : stratum == 1 ? 3.0 : -3.0));
        labels.push_back(label);
        strata.push_back(stratum);
    }
    EXPECT_GT(std::abs(pairedDelongTest(first, second, labels).difference), 0.01);
    const auto within = pairedStratifiedDelongTest(first, second, labels, strata);
    EXPECT_NEAR(within.difference, 0.0, 1e-12);
    EXPECT_EQ(within.p_value, 1.0);
}

TEST(TruePositiveRateAt, SetsTheThresholdAboveTheAllowedFalsePositives) {
    // 200 negatives scored 0..199 and 10 positives: at FPR 1% two negatives may pass, so the
    // threshold is the third-highest negative (197) and only positives above it count.
    std::vector<double> scores;
    std::vector<int> labels;
    for (int i = 0; i < 200; ++i) {
        scores.push_back(i);
        labels.push_back(0);
    }
    for (double s : {197.0, 197.5, 198.5, 300.0, 400.0, 10.0, 20.0, 30.0, 40.0, 50.0}) {
        scores.push_back(s);
        labels.push_back(1);
    }
    const std::optional<double> rate = truePositiveRateAt(scores, labels, 0.01);
    ASSERT_TRUE(rate.has_value());
    EXPECT_DOUBLE_EQ(*rate, 0.4);  // 197.5, 198.5, 300, 400; the tie at 197 does not pass
}

TEST(TruePositiveRateAt, IsAbsentWhenTooFewNegativesToReadThatRate) {
    const std::vector<double> scores = {0.1, 0.2, 0.9, 0.8};
    const std::vector<int> labels = {0, 0, 1, 1};
    EXPECT_FALSE(truePositiveRateAt(scores, labels, 0.001).has_value());
    EXPECT_THROW(truePositiveRateAt(scores, {0, 0, 0, 0}, 0.1), std::invalid_argument);
    EXPECT_THROW(truePositiveRateAt(scores, labels, 0.0), std::invalid_argument);
}

}  // namespace
}  // namespace dpflow

namespace dpflow {
namespace {

TEST(WithinGroupConcordance, CountsOnlyPairsInTheSameGroup) {
    // Group 0: the second set keeps the order; group 1: it reverses it. A shift of a whole group
    // (what a painted label does) changes nothing.
    const std::vector<int> groups{0, 0, 0, 1, 1};
    const std::vector<double> original{0.1, 0.2, 0.3, 0.7, 0.9};
    const std::vector<double> released{5.1, 5.2, 5.3, 0.9, 0.7};
    // 3 concordant pairs in group 0, 1 discordant in group 1.
    EXPECT_DOUBLE_EQ(*withinGroupConcordance(original, released, groups), 3.0 / 4.0);
    EXPECT_DOUBLE_EQ(*withinGroupConcordance(original, original, groups), 1.0);
    const std::vector<double> flat{0.5, 0.5, 0.5, 0.5, 0.5};
    EXPECT_DOUBLE_EQ(*withinGroupConcordance(original, flat, groups), 0.5);  // ties count one half
    EXPECT_FALSE(withinGroupConcordance({0.1, 0.2}, {0.1, 0.2}, {0, 1}).has_value());
    EXPECT_THROW(withinGroupConcordance({0.1}, {0.1, 0.2}, {0, 0}), std::invalid_argument);
}

}  // namespace
}  // namespace dpflow
