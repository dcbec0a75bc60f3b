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
