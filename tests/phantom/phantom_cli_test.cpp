#include <gtest/gtest.h>
#include "../support/command_runner.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using CommandResult = dpflow::test::CommandRun;

CommandResult runCli(const std::string& arguments) { return dpflow::test::runDpflow(arguments); }

std::string tempDir(const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() / ("dpflow_phantom_cli_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    return dir.string();
}

TEST(PhantomCli, WritesTheStudyAndPrintsTheRate) {
    const std::string dir = tempDir("rate");
    const CommandResult r = runCli("phantom --out " + dir + " --patients 2 --images-per-patient 2 --size 64 --seed 3");
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("4 images"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("images/s"), std::string::npos) << r.output;
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(dir) / "manifest.csv"));
}

TEST(PhantomCli, RejectsASizeOutsideTheRangeAsAUsageError) {
    const CommandResult r = runCli("phantom --out " + tempDir("small") + " --size 32");
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find("--size"), std::string::npos) << r.output;
    EXPECT_EQ(runCli("phantom --out " + tempDir("large") + " --size 4097").status, 2);
}

TEST(PhantomCli, RejectsAnUnknownFormatAsAUsageError) {
    const CommandResult r = runCli("phantom --out " + tempDir("format") + " --format jpg");
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find("--format"), std::string::npos) << r.output;
}

TEST(PhantomCli, ReportsAnUnwritableOutputFolderAsAFailure) {
    const CommandResult r = runCli("phantom --out /proc/dpflow_cannot_write_here --size 64 --patients 1 --images-per-patient 1");
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_NE(r.output.find("error"), std::string::npos) << r.output;
}

}  // namespace
