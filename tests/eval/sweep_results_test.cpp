#include "eval/sweep_results.h"
#include "eval/sweep_summary.h"
#include "sweep_test_support.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

namespace dpflow {
namespace {

void expectSameAttack(const SweepAttackFigures& a, const SweepAttackFigures& b) {
    EXPECT_EQ(a.top1_rate, b.top1_rate);
    EXPECT_EQ(a.chance_rate, b.chance_rate);
    EXPECT_EQ(a.verification_auc, b.verification_auc);
    EXPECT_EQ(a.verification_ci_low, b.verification_ci_low);
    EXPECT_EQ(a.verification_ci_high, b.verification_ci_high);
    EXPECT_EQ(a.probes, b.probes);
}

void expectSameRow(const SweepRow& a, const SweepRow& b) {
    EXPECT_EQ(a.mechanism, b.mechanism);
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
    EXPECT_EQ(read.cache_key, written.cache_key);
    EXPECT_EQ(read.created_utc, written.created_utc);
    EXPECT_EQ(read.wall_seconds, 12.5);
    ASSERT_TRUE(read.original.has_value());
    EXPECT_TRUE(std::isinf(read.original->epsilon));
    expectSameRow(*read.original, *written.original);
    ASSERT_EQ(read.rows.size(), written.rows.size());
    for (std::size_t i = 0; i < read.rows.size(); ++i) expectSameRow(read.rows[i], written.rows[i]);
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
    EXPECT_EQ(sweepCsvColumns().size(), 5u + 5u + 5u + 2u + 3u * 2u * 6u);
    EXPECT_EQ(original.rfind("original,inf,,90,0,0.94999999999999996,", 0), 0u) << original;
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

TEST(SweepSummary, BreakpointIsTheLargestEpsFromWhichTheRateStaysWithinTwiceChance) {
    SweepResults results;
    const double rates[] = {0.04, 0.05, 0.30, 0.06, 0.9};  // eps 1, 10, 100, 1000, 10000
    for (int i = 0; i < 5; ++i) {
        SweepRow row;
        row.mechanism = "dpglow";
        row.epsilon = std::pow(10.0, i);
        row.protocol_a = SweepAuc{0.6 + 0.05 * i, 0.5, 0.9, 10, 10};
        row.latent_attacker.identification.top1_rate = rates[i];
        row.latent_attacker.identification.chance_rate = 0.04;
        results.rows.push_back(row);
    }
    const std::vector<SweepBreakpoint> points = reidentificationBreakpoints(results);
    ASSERT_EQ(points.size(), 1u);  // only the latent attacker has figures
    EXPECT_EQ(points[0].attacker, SweepAttacker::Latent);
    ASSERT_TRUE(points[0].epsilon.has_value());
    EXPECT_EQ(*points[0].epsilon, 10.0);  // eps 1000 dips below 0.08 but eps 100 does not
    EXPECT_DOUBLE_EQ(points[0].protocol_a->auc, 0.65);
    EXPECT_NE(describeBreakpoint(points[0]).find("eps 10 down"), std::string::npos) << describeBreakpoint(points[0]);
}

}  // namespace
}  // namespace dpflow
