#include "eval/binomial_interval.h"
#include "eval/sweep_results.h"
#include "eval/sweep_summary.h"
#include "sweep_test_support.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

namespace dpflow {
namespace {

void expectSameAttack(const SweepAttackFigures& a, const SweepAttackFigures& b) {
    EXPECT_EQ(a.top1_rate, b.top1_rate);
    EXPECT_EQ(a.chance_rate, b.chance_rate);
    EXPECT_EQ(a.verification_auc, b.verification_auc);
    EXPECT_EQ(a.verification_ci_low, b.verification_ci_low);
    EXPECT_EQ(a.verification_ci_high, b.verification_ci_high);
    EXPECT_EQ(a.top1_hits, b.top1_hits);
    EXPECT_EQ(a.films_hit, b.films_hit);
    EXPECT_EQ(a.top1_ci_low, b.top1_ci_low);
    EXPECT_EQ(a.top1_ci_high, b.top1_ci_high);
    EXPECT_EQ(a.tpr_at_fpr_1pct, b.tpr_at_fpr_1pct);
    EXPECT_EQ(a.tpr_at_fpr_01pct, b.tpr_at_fpr_01pct);
    EXPECT_EQ(a.probes, b.probes);
    EXPECT_EQ(a.chance_given_disclosed, b.chance_given_disclosed);
    EXPECT_EQ(a.verification_within_disclosed_auc, b.verification_within_disclosed_auc);
    EXPECT_EQ(a.verification_within_disclosed_ci_low, b.verification_within_disclosed_ci_low);
    EXPECT_EQ(a.verification_within_disclosed_ci_high, b.verification_within_disclosed_ci_high);
}

void expectSameRow(const SweepRow& a, const SweepRow& b) {
    EXPECT_EQ(a.mechanism, b.mechanism);
    ASSERT_EQ(a.image_borne.has_value(), b.image_borne.has_value());
    if (a.image_borne) {
        EXPECT_EQ(a.image_borne->auc, b.image_borne->auc);
        EXPECT_EQ(a.image_borne->ci_high, b.image_borne->ci_high);
    }
    EXPECT_EQ(a.image_borne_difference, b.image_borne_difference);
    EXPECT_EQ(a.within_label_concordance, b.within_label_concordance);
    EXPECT_EQ(a.image_borne_difference_p, b.image_borne_difference_p);
    ASSERT_EQ(a.image_borne_matched.has_value(), b.image_borne_matched.has_value());
    if (a.image_borne_matched) {
        EXPECT_EQ(a.image_borne_matched->auc, b.image_borne_matched->auc);
        EXPECT_EQ(a.image_borne_matched->positives, b.image_borne_matched->positives);
    }
    EXPECT_EQ(a.image_borne_matched_difference, b.image_borne_matched_difference);
    EXPECT_EQ(a.image_borne_matched_difference_p, b.image_borne_matched_difference_p);
    EXPECT_EQ(a.epsilon, b.epsilon);
    EXPECT_EQ(a.noise_scale, b.noise_scale);
    EXPECT_EQ(a.test_images, b.test_images);
    EXPECT_EQ(a.nonfinite_images, b.nonfinite_images);
    ASSERT_EQ(a.protocol_a.has_value(), b.protocol_a.has_value());
    if (a.protocol_a) {
        EXPECT_EQ(a.protocol_a->auc, b.protocol_a->auc);
        EXPECT_EQ(a.protocol_a->ci_low, b.protocol_a->ci_low);
        EXPECT_EQ(a.protocol_a->ci_high, b.protocol_a->ci_high);
        EXPECT_EQ(a.protocol_a->positives, b.protocol_a->positives);
        EXPECT_EQ(a.protocol_a->negatives, b.protocol_a->negatives);
    }
    EXPECT_EQ(a.protocol_b.has_value(), b.protocol_b.has_value());
    EXPECT_EQ(a.mean_ssim, b.mean_ssim);
    EXPECT_EQ(a.mean_psnr, b.mean_psnr);
    for (SweepAttacker attacker : kSweepAttackers) {
        expectSameAttack(attackerFigures(a, attacker).identification, attackerFigures(b, attacker).identification);
        expectSameAttack(attackerFigures(a, attacker).linkage, attackerFigures(b, attacker).linkage);
    }
}

TEST(SweepResults, CsvAndJsonRoundTripEveryValueExactly) {
    test::TemporaryFolder folder("dpflow-sweep-roundtrip");
    const SweepResults written = test::exampleResults();
    writeSweepResults(written, folder.path() / "results.csv");
    const SweepResults read = readSweepResults(folder.path() / "results.csv");
    EXPECT_EQ(read.settings.mechanisms, written.settings.mechanisms);
    EXPECT_EQ(read.settings.epsilons, written.settings.epsilons);
    EXPECT_EQ(read.settings.protocol_b, true);
    EXPECT_EQ(read.settings.protect_attributes, written.settings.protect_attributes);
    EXPECT_EQ(read.settings.seed, 7u);
    EXPECT_EQ(read.settings.latent_decoding, "direct");
    EXPECT_EQ(read.hashes.data_sha256, "cc");
    EXPECT_EQ(read.hashes.embedding_sha256, "dd");
    EXPECT_EQ(read.hashes.linkage_embedding_sha256, "ee");
    EXPECT_EQ(read.hashes.allocation_sha256, std::vector<std::string>{"ff"});
    EXPECT_EQ(read.settings.allocations, written.settings.allocations);
    EXPECT_EQ(read.settings.image_borne_attribute, "label");
    EXPECT_EQ(read.test_labels, written.test_labels);
    EXPECT_EQ(read.settings.embedding_path, "attacker.safetensors");
    EXPECT_EQ(read.cache_key, written.cache_key);
    EXPECT_EQ(read.created_utc, written.created_utc);
    EXPECT_EQ(read.wall_seconds, 12.5);
    ASSERT_TRUE(read.original.has_value());
    EXPECT_TRUE(std::isinf(read.original->epsilon));
    expectSameRow(*read.original, *written.original);
    ASSERT_EQ(read.rows.size(), written.rows.size());
    for (std::size_t i = 0; i < read.rows.size(); ++i) {
        expectSameRow(read.rows[i], written.rows[i]);
        EXPECT_EQ(read.rows[i].image_borne_scores, written.rows[i].image_borne_scores);
        EXPECT_EQ(read.rows[i].disclosed_strata, written.rows[i].disclosed_strata);
    }
}

TEST(SweepResults, CsvHeaderNamesEveryColumnAndAbsentValuesAreEmptyCells) {
    test::TemporaryFolder folder("dpflow-sweep-header");
    writeSweepResults(test::exampleResults(), folder.path() / "results.csv");
    std::ifstream in(folder.path() / "results.csv");
    std::string header, original;
    std::getline(in, header);
    std::getline(in, original);
    std::string expected;
    for (const std::string& name : sweepCsvColumns()) expected += (expected.empty() ? "" : ",") + name;
    EXPECT_EQ(header, expected);
    // mechanism and 4 row facts, protocols a and b, the image-borne AUC (5 columns each) and its paired
    // difference (4), the within-label concordance, the matched image-borne AUC (5) and its
    // difference (4), SSIM and PSNR, 16 figures per attacker (pixel, embedding, latent, score) and protocol
    EXPECT_EQ(sweepCsvColumns().size(), 5u + 5u + 5u + 5u + 4u + 1u + 5u + 4u + 2u + 4u * 2u * 16u);
    EXPECT_EQ(original.rfind("original,inf,,90,0,0.94999999999999996,", 0), 0u) << original;
}

// A results file written before the score attacker existed (the shipped sweeps of other models)
// has no score_* columns: it reads, with that attacker's figures absent, and the rest unchanged.
TEST(SweepResults, AFileWithoutTheScoreAttackersColumnsReadsWithItsFiguresAbsent) {
    test::TemporaryFolder folder("dpflow-sweep-before-score");
    const SweepResults written = test::exampleResults();
    const std::filesystem::path csv = folder.path() / "results.csv";
    writeSweepResults(written, csv);
    std::ifstream in(csv);
    std::vector<std::vector<std::string>> cells;
    for (std::string line; std::getline(in, line);) {
        cells.emplace_back();
        std::stringstream fields(line);
        for (std::string cell; std::getline(fields, cell, ',');) cells.back().push_back(cell);
        if (!line.empty() && line.back() == ',') cells.back().push_back("");
    }
    in.close();
    std::ofstream out(csv, std::ios::trunc);
    for (const auto& row : cells) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c)
            if (cells.front()[c].rfind("score_", 0) != 0) line += (line.empty() ? "" : ",") + row[c];
        out << line << '\n';
    }
    out.close();
    const SweepResults read = readSweepResults(csv);
    ASSERT_EQ(read.rows.size(), written.rows.size());
    EXPECT_FALSE(read.rows[0].score_attacker.linkage.top1_rate);
    EXPECT_FALSE(read.rows[0].score_attacker.measured());
    EXPECT_TRUE(read.rows[0].pixel_attacker.measured());
    EXPECT_FALSE(read.rows[0].score_attacker.linkage.verification_within_disclosed_auc);
    EXPECT_EQ(read.rows[0].pixel_attacker.linkage.top1_rate, written.rows[0].pixel_attacker.linkage.top1_rate);
    EXPECT_EQ(read.rows[0].latent_attacker.linkage.verification_within_disclosed_auc,
              written.rows[0].latent_attacker.linkage.verification_within_disclosed_auc);
}

TEST(SweepResults, ReadingAPairFromDifferentRunsFailsNamingTheFiles) {
    test::TemporaryFolder folder("dpflow-sweep-mismatch");
    SweepResults results = test::exampleResults();
    writeSweepResults(results, folder.path() / "results.csv");
    const std::filesystem::path json = folder.path() / "results.json";
    std::filesystem::copy_file(json, folder.path() / "saved.json");
    results.rows.pop_back();
    writeSweepResults(results, folder.path() / "results.csv");
    std::filesystem::copy_file(folder.path() / "saved.json", json, std::filesystem::copy_options::overwrite_existing);
    try {
        readSweepResults(folder.path() / "results.csv");
        FAIL() << "a mismatched pair was accepted";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find("results.json"), std::string::npos) << error.what();
    }
}

TEST(SweepResults, MissingJsonIsAnErrorNamingIt) {
    test::TemporaryFolder folder("dpflow-sweep-missing");
    writeSweepResults(test::exampleResults(), folder.path() / "results.csv");
    std::filesystem::remove(folder.path() / "results.json");
    EXPECT_THROW(readSweepResults(folder.path() / "results.csv"), std::runtime_error);
}

TEST(SweepSummary, TheProtocolACaveatAccompaniesLatentMechanismsOnly) {
    EXPECT_NE(protocolACaveat({"pixel", "dpglow"}).find("disclosed label"), std::string::npos);
    EXPECT_FALSE(protocolACaveat({"cadp"}).empty());
    EXPECT_TRUE(protocolACaveat({"pixel", "dppix"}).empty());
}

// One attack's figures: `hits` of `probes` against a gallery of `gallery` identities.
SweepAttackFigures attackOf(std::size_t hits, std::size_t probes, std::size_t gallery) {
    SweepAttackFigures figures;
    figures.top1_hits = hits;
    figures.probes = probes;
    figures.top1_rate = static_cast<double>(hits) / static_cast<double>(probes);
    figures.chance_rate = 1.0 / static_cast<double>(gallery);
    return figures;
}

// A dpglow row at `epsilon` whose latent attacker has these identification and linkage hits
// among 1,000 probes against a gallery of 100 (chance 0.01, twice chance 0.02).
SweepRow rowWith(double epsilon, std::size_t identification_hits, std::size_t linkage_hits) {
    SweepRow row;
    row.mechanism = "dpglow";
    row.epsilon = epsilon;
    row.protocol_a = SweepAuc{0.7, 0.6, 0.8, 10, 10};
    row.latent_attacker.identification = attackOf(identification_hits, 1000, 100);
    row.latent_attacker.linkage = attackOf(linkage_hits, 1000, 100);
    return row;
}

TEST(SweepVerdict, JudgesTheUpperBoundOfTheIntervalNotThePointEstimate) {
    SweepResults results;
    // 15 of 1,000 is a rate of 0.015 <= 0.02, but its 95% upper bound (0.0246) is above twice chance.
    results.rows = {rowWith(1, 5, 5), rowWith(10, 15, 5)};
    const std::vector<MechanismVerdict> verdicts = sweepVerdicts(results);
    ASSERT_EQ(verdicts.size(), 1u);
    ASSERT_EQ(verdicts[0].points.size(), 2u);
    EXPECT_TRUE(verdicts[0].points[0].all_at_chance);
    EXPECT_FALSE(verdicts[0].points[1].all_at_chance);
    ASSERT_TRUE(verdicts[0].breakpoint.has_value());
    EXPECT_EQ(verdicts[0].points[*verdicts[0].breakpoint].epsilon, 1.0);
    EXPECT_NE(describeVerdict(verdicts[0]).find("from eps 1 down"), std::string::npos) << describeVerdict(verdicts[0]);
}

TEST(SweepVerdict, LinkageCountsAndTheStrongestAttackDecides) {
    SweepResults results;
    results.rows = {rowWith(1, 2, 40)};  // identification at chance, linkage 4%: far above
    results.rows[0].pixel_attacker.identification = attackOf(3, 1000, 100);
    const MechanismVerdict verdict = sweepVerdicts(results).at(0);
    ASSERT_EQ(verdict.points.size(), 1u);
    const EpsilonVerdict& point = verdict.points[0];
    EXPECT_EQ(point.attacks.size(), 3u);  // pixel identification, latent identification, latent linkage
    EXPECT_FALSE(point.all_at_chance);
    EXPECT_EQ(point.attacks[point.strongest].attacker, SweepAttacker::Latent);
    EXPECT_TRUE(point.attacks[point.strongest].linkage);
    EXPECT_FALSE(verdict.breakpoint.has_value());
    const std::string text = describeVerdict(verdict);
    EXPECT_NE(text.find("no swept eps"), std::string::npos) << text;
    EXPECT_NE(text.find("latent linkage top-1 0.040 (40/1000"), std::string::npos) << text;
}

TEST(SweepVerdict, AVerificationAucAboveTheLineKeepsAnAttackFromChance) {
    // Top-1 at chance at both budgets; at eps 10 the attacker still tells same-patient pairs from
    // others (verification AUC 0.72 > 0.60), so only eps 1 passes.
    SweepResults results;
    results.rows = {rowWith(1, 2, 2), rowWith(10, 2, 2)};
    results.rows[0].latent_attacker.identification.verification_auc = 0.55;
    results.rows[1].latent_attacker.identification.verification_auc = 0.72;
    MechanismVerdict verdict = sweepVerdicts(results).at(0);
    EXPECT_TRUE(verdict.points[0].attacks[0].verification_at_chance);
    EXPECT_FALSE(verdict.points[1].attacks[0].verification_at_chance);
    EXPECT_FALSE(verdict.points[1].all_at_chance);
    ASSERT_TRUE(verdict.breakpoint.has_value());
    EXPECT_EQ(verdict.points[*verdict.breakpoint].epsilon, 1.0);
    EXPECT_NE(describeVerdict(verdict).find("verification AUC <= 0.60"), std::string::npos) << describeVerdict(verdict);

    results.rows[0].latent_attacker.identification.verification_auc = 0.61;  // now no budget passes, and it says why
    verdict = sweepVerdicts(results).at(0);
    EXPECT_FALSE(verdict.breakpoint.has_value());
    EXPECT_NE(describeVerdict(verdict).find("latent identification verification AUC 0.610 > 0.60"), std::string::npos)
        << describeVerdict(verdict);
}

TEST(SweepVerdict, BeyondTheDisclosedAttributesChanceIsWhatTheGuessesWouldScoreOnTheirStrataAlone) {
    // 132 of 1,000 probes hit, far above 1 / 100: every film of a disclosed stratum decoded alike,
    // and the attacker named each stratum's patient with most films. Those guesses would score
    // 0.130 if the films carried nothing beyond their strata, and every gallery entry's genuine
    // probes score like its impostors of the same stratum (verification 0.51 within the strata,
    // 0.68 over all pairs). Judged on the gallery, the attack decides; judged beyond the disclosed
    // attributes, it is at chance.
    SweepResults results;
    results.rows = {rowWith(1e3, 2, 2)};
    SweepAttackFigures& attack = results.rows[0].embedding_attacker.identification;
    attack = attackOf(132, 1000, 100);
    attack.verification_auc = 0.68;
    attack.chance_given_disclosed = 0.130;
    attack.verification_within_disclosed_auc = 0.51;
    const MechanismVerdict gallery = sweepVerdicts(results).at(0);
    EXPECT_FALSE(gallery.points[0].all_at_chance);
    const MechanismVerdict beyond =
        sweepVerdicts(results, ChanceBaseline::DisclosedAttributes).at(0);
    EXPECT_EQ(beyond.baseline, ChanceBaseline::DisclosedAttributes);
    const AttackJudgement& judged = beyond.points[0].attacks.at(0);
    EXPECT_EQ(judged.attacker, SweepAttacker::Embedding);
    EXPECT_DOUBLE_EQ(judged.chance_rate, 0.130);
    EXPECT_EQ(judged.verification_auc, 0.51);
    EXPECT_TRUE(beyond.points[0].all_at_chance) << describeVerdict(beyond);
    EXPECT_NE(describeVerdict(beyond).find("beyond its disclosed attributes"), std::string::npos) << describeVerdict(beyond);

    // A guess that would score less than 1 / gallery on its strata is still judged against 1 / gallery,
    // and an attack without the figures (an older file) as on the gallery.
    attack.chance_given_disclosed = 0.001;
    EXPECT_DOUBLE_EQ(sweepVerdicts(results, ChanceBaseline::DisclosedAttributes)
                         .at(0).points[0].attacks.at(0).chance_rate, 0.01);
    attack.chance_given_disclosed.reset();
    attack.verification_within_disclosed_auc.reset();
    results.rows[0].latent_attacker.identification.chance_given_disclosed = 0.01;
    EXPECT_FALSE(sweepVerdicts(results, ChanceBaseline::DisclosedAttributes)
                     .at(0).points[0].all_at_chance);
    // A file from before these figures existed has no verdict beyond the disclosed attributes:
    // it would repeat the first under the other's name.
    results.rows[0].latent_attacker.identification.chance_given_disclosed.reset();
    EXPECT_TRUE(sweepVerdicts(results, ChanceBaseline::DisclosedAttributes).empty());
    EXPECT_EQ(sweepVerdicts(results).size(), 1u);
}

TEST(SweepVerdict, AnAttackAboveTheLineAtASmallerEpsEndsTheRange) {
    SweepResults results;
    results.rows = {rowWith(1000, 2, 2), rowWith(1, 2, 2), rowWith(10, 60, 2), rowWith(100, 2, 2)};
    const MechanismVerdict verdict = sweepVerdicts(results).at(0);
    ASSERT_TRUE(verdict.breakpoint.has_value());
    EXPECT_EQ(verdict.points[*verdict.breakpoint].epsilon, 1.0);  // eps 100 and 1000 pass, but eps 10 does not
}

TEST(SweepVerdict, SaysWhenTheTestFilmsAreTooFewToShowChance) {
    // The NIH test split: 76 identification probes against 137 patients. No hit at all still
    // leaves an upper bound of 0.047, above twice chance (0.0146).
    SweepResults results;
    SweepRow row;
    row.mechanism = "dpglow";
    row.epsilon = 1e3;
    row.latent_attacker.identification = attackOf(0, 76, 137);
    results.rows.push_back(row);
    const MechanismVerdict verdict = sweepVerdicts(results).at(0);
    EXPECT_FALSE(verdict.resolvable);
    EXPECT_FALSE(verdict.breakpoint.has_value());
    const std::string text = describeVerdict(verdict);
    EXPECT_NE(text.find("cannot show chance"), std::string::npos) << text;
    EXPECT_NE(text.find("76 probes"), std::string::npos) << text;
    EXPECT_NE(text.find("0.0474"), std::string::npos) << text;
}

TEST(SweepVerdict, HitsThatClusterInFilmsCountAsFewerTrials) {
    // 10 hits in 1,000 probes (250 films x 4 draws, gallery 100, twice chance 0.02): at chance
    // when they fall on 10 films; not when they are the draws of 2 films (design effect 5: 2 hits
    // in 200 trials).
    SweepResults spread, clustered;
    spread.rows = {rowWith(1, 10, 10)};
    spread.rows[0].latent_attacker.identification.films_hit = 10;
    clustered.rows = {rowWith(1, 10, 10)};
    clustered.rows[0].latent_attacker.identification.films_hit = 2;
    const AttackJudgement a = sweepVerdicts(spread).at(0).points.at(0).attacks.at(0);
    const AttackJudgement b = sweepVerdicts(clustered).at(0).points.at(0).attacks.at(0);
    EXPECT_DOUBLE_EQ(a.design_effect, 1.0);
    EXPECT_NEAR(a.upper_bound, clopperPearsonInterval(10, 1000).high, 1e-12);
    EXPECT_TRUE(a.at_chance);
    EXPECT_DOUBLE_EQ(b.design_effect, 5.0);
    EXPECT_NEAR(b.upper_bound, clopperPearsonInterval(2, 200).high, 1e-12);
    EXPECT_FALSE(b.at_chance);
    EXPECT_NE(describeVerdict(sweepVerdicts(clustered).at(0)).find("design effect 5.00"), std::string::npos)
        << describeVerdict(sweepVerdicts(clustered).at(0));
}

TEST(SweepVerdict, AnEpsWithoutAttackFiguresIsNotShownAtChance) {
    SweepResults results;
    results.rows = {rowWith(1, 2, 2), rowWith(100, 2, 2)};
    SweepRow unmeasured;
    unmeasured.mechanism = "dpglow";
    unmeasured.epsilon = 10;
    results.rows.push_back(unmeasured);
    const MechanismVerdict verdict = sweepVerdicts(results).at(0);
    ASSERT_TRUE(verdict.breakpoint.has_value());
    EXPECT_EQ(verdict.points[*verdict.breakpoint].epsilon, 1.0);  // eps 100 passes, but eps 10 was not measured
}

TEST(SweepVerdict, ReadsHitsFromOlderFilesThroughTheRate) {
    SweepResults results;
    SweepRow row = rowWith(1, 0, 0);
    row.latent_attacker.identification.top1_hits.reset();
    row.latent_attacker.identification.top1_rate = 0.03;  // 30 of 1,000
    results.rows.push_back(row);
    const MechanismVerdict verdict = sweepVerdicts(results).at(0);
    EXPECT_EQ(verdict.points[0].attacks[0].hits, 30u);
    EXPECT_FALSE(verdict.points[0].all_at_chance);
}

TEST(SweepSummary, AttackStrengthGivesTheIntervalChanceAndOperatingPoints) {
    SweepAttackFigures figures = attackOf(20, 76, 137);
    figures.top1_ci_low = 0.169;
    figures.top1_ci_high = 0.376;
    figures.verification_auc = 0.847;
    figures.verification_ci_low = 0.796;
    figures.verification_ci_high = 0.897;
    figures.tpr_at_fpr_1pct = 0.171;
    const std::string text = describeAttackStrength(figures);
    EXPECT_NE(text.find("top-1 0.263 [0.169, 0.376] (20/76), chance 0.0073"), std::string::npos) << text;
    EXPECT_NE(text.find("verification AUC 0.847 [0.796, 0.897]"), std::string::npos) << text;
    EXPECT_NE(text.find("TPR 0.171 at FPR 1%"), std::string::npos) << text;
    EXPECT_EQ(text.find("0.1%"), std::string::npos) << text;
    EXPECT_TRUE(describeAttackStrength(SweepAttackFigures{}).empty());
}

}  // namespace
}  // namespace dpflow
