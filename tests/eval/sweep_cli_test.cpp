#include "eval/sweep_results.h"
#include "../support/command_runner.h"
#include "sweep_test_support.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <sys/wait.h>

namespace dpflow {
namespace {

using CommandResult = test::CommandRun;

CommandResult run(const std::string& arguments) { return test::runDpflow(arguments); }

TEST(SweepReportCommand, PrintsTheTableTheAttackersStrengthAndTheVerdictOfAResultsFile) {
    test::TemporaryFolder folder("dpflow-sweep-report");
    SweepResults results = test::exampleResults();
    for (SweepRow& row : results.rows) {  // identification figures on every row, so there is a verdict
        row.latent_attacker.identification.top1_rate = 0.5;
        row.latent_attacker.identification.top1_hits = 30;
        row.latent_attacker.identification.probes = 60;
        row.latent_attacker.identification.chance_rate = 1.0 / 30.0;
    }
    writeSweepResults(results, folder.path() / "results.csv");
    const CommandResult report = run("sweep-report " + (folder.path() / "results.csv").string());
    ASSERT_EQ(report.status, 0) << report.output;
    EXPECT_NE(report.output.find("original"), std::string::npos) << report.output;
    EXPECT_NE(report.output.find("attackers on the originals"), std::string::npos) << report.output;
    EXPECT_NE(report.output.find("verdict: dpglow: no swept eps puts every attack at chance"), std::string::npos) << report.output;
    EXPECT_NE(run("sweep-report " + (folder.path() / "missing.csv").string()).status, 0);
}

TEST(SweepCommand, WritesResultsPlotAndReusesTheCacheOnTheSameInputs) {
    test::TemporaryFolder folder("dpflow-sweep-cli");
    const auto manifest = test::writeTinyPneumoniaManifest(folder.path(), 5);
    const std::string arguments = "sweep --classifier " + test::modelPath("pneumoniamnist-classifier.safetensors") +
                                  " --model " + test::modelPath("pneumoniamnist-glow32.safetensors") + " --data " +
                                  manifest.string() + " --mechanism pixel --epsilons 1,1e9 --threads 1 --out " +
                                  (folder.path() / "out" / "results.csv").string();
    const CommandResult first = run(arguments);
    ASSERT_EQ(first.status, 0) << first.output;
    EXPECT_NE(first.output.find("ETA"), std::string::npos) << first.output;
    EXPECT_EQ(first.output.find("note: Protocol (a)"), std::string::npos) << "pixel noise decodes no attribute prototype";
    const SweepResults results = readSweepResults(folder.path() / "out" / "results.csv");
    ASSERT_EQ(results.rows.size(), 2u);
    EXPECT_EQ(results.hashes.classifier_sha256.size(), 64u);
    EXPECT_GT(std::filesystem::file_size(folder.path() / "out" / "results.png"), 0u);
    EXPECT_GT(std::filesystem::file_size(folder.path() / "out" / "results.pdf"), 0u);
    EXPECT_TRUE(std::filesystem::is_directory(folder.path() / "out" / "sweep-cache"));

    const CommandResult second = run(arguments);
    ASSERT_EQ(second.status, 0) << second.output;
    EXPECT_NE(second.output.find("cached figures"), std::string::npos) << second.output;
}

TEST(SweepCommand, ALatentSweepSaysWhatProtocolAMeasuresOnAConditionalFlow) {
    test::TemporaryFolder folder("dpflow-sweep-cli-caveat");
    const auto manifest = test::writeTinyPneumoniaManifest(folder.path(), 3);
    const CommandResult result = run("sweep --classifier " + test::modelPath("pneumoniamnist-classifier.safetensors") + " --model " +
                                     test::modelPath("pneumoniamnist-glow32.safetensors") + " --data " + manifest.string() +
                                     " --mechanism dpglow --epsilons 1e6 --threads 1 --no-cache --out " +
                                     (folder.path() / "results.csv").string());
    ASSERT_EQ(result.status, 0) << result.output;
    EXPECT_NE(result.output.find("note: Protocol (a) on a conditional flow"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("measures the disclosed label"), std::string::npos) << result.output;
}

TEST(SweepCommand, UnknownMechanismIsAUsageError) {
    test::TemporaryFolder folder("dpflow-sweep-cli-usage");
    const auto manifest = test::writeTinyPneumoniaManifest(folder.path(), 2);
    const CommandResult result = run("sweep --classifier " + test::modelPath("pneumoniamnist-classifier.safetensors") +
                                     " --data " + manifest.string() + " --mechanism warp --epsilons 1 --out " +
                                     (folder.path() / "r.csv").string());
    EXPECT_EQ(result.status, 2) << result.output;
}

}  // namespace
}  // namespace dpflow
