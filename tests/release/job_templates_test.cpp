#include "release_test_support.h"

#include "release/release_layout.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

namespace dpflow {
namespace {

namespace fs = std::filesystem;
using test::CliRun;
using test::runShell;

const fs::path kInstaller = fs::path(DPFLOW_SOURCE_DIR) / "installer";

std::string readText(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The shell script of the container's `args: - |` block, dedented.
std::string containerScript(const fs::path& yaml) {
    std::istringstream in(readText(yaml));
    std::string line, script;
    std::size_t indent = std::string::npos;
    bool inside = false;
    while (std::getline(in, line)) {
        if (!inside) {
            inside = line.find("- |") != std::string::npos;
            continue;
        }
        const std::size_t first = line.find_first_not_of(' ');
        if (first == std::string::npos) continue;
        if (indent == std::string::npos) indent = first;
        if (first < indent) break;
        script += line.substr(indent) + "\n";
    }
    return script;
}

int yamlInteger(const std::string& yaml, const std::string& key) {
    std::smatch match;
    EXPECT_TRUE(std::regex_search(yaml, match, std::regex(key + R"(:\s*"?(\d+))"))) << key;
    return std::stoi(match[1]);
}

// A stand-in for dpflow that prints its arguments, one per line.
fs::path echoingDpflow(const fs::path& dir) {
    const fs::path script = dir / "echo-dpflow";
    std::ofstream(script) << "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n";
    fs::permissions(script, fs::perms::owner_all);
    return script;
}

TEST(JobTemplates, EveryScriptIsValidBash) {
    const fs::path dir = test::freshTestDir("job-templates", "syntax");
    for (const char* name : {"slurm/dpflow-release-array.sbatch", "slurm/dpflow-release-merge.sbatch"})
        EXPECT_EQ(runShell("bash -n " + (kInstaller / name).string()).status, 0) << name;
    for (const char* name : {"kubernetes/dpflow-release-indexed-job.yaml", "kubernetes/dpflow-release-merge-job.yaml"}) {
        const fs::path script = dir / (fs::path(name).stem().string() + ".sh");
        std::ofstream(script) << containerScript(kInstaller / name);
        const CliRun run = runShell("bash -n " + script.string());
        EXPECT_EQ(run.status, 0) << name << ": " << run.output;
    }
}

TEST(JobTemplates, KubernetesIndexedJobPassesItsCompletionIndexAsTheShard) {
    const fs::path dir = test::freshTestDir("job-templates", "kubernetes");
    const std::string yaml = readText(kInstaller / "kubernetes/dpflow-release-indexed-job.yaml");
    EXPECT_NE(yaml.find("completionMode: Indexed"), std::string::npos);
    const int shards = yamlInteger(yaml, "completions");
    EXPECT_EQ(yamlInteger(yaml, "parallelism"), shards);
    EXPECT_EQ(yamlInteger(yaml, "value"), shards);  // DPFLOW_SHARDS
    std::ofstream(dir / "job.sh") << containerScript(kInstaller / "kubernetes/dpflow-release-indexed-job.yaml");
    const CliRun run = runShell("JOB_COMPLETION_INDEX=2 DPFLOW_SHARDS=" + std::to_string(shards) +
                                " DPFLOW=" + echoingDpflow(dir).string() + " bash " + (dir / "job.sh").string());
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("--shard\n2/" + std::to_string(shards) + "\n"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("/data/release/shard-2-of-" + std::to_string(shards)), std::string::npos) << run.output;

    const std::string merge_yaml = readText(kInstaller / "kubernetes/dpflow-release-merge-job.yaml");
    EXPECT_EQ(yamlInteger(merge_yaml, "value"), shards);
    std::ofstream(dir / "merge.sh") << containerScript(kInstaller / "kubernetes/dpflow-release-merge-job.yaml");
    const CliRun merge = runShell("DPFLOW_SHARDS=" + std::to_string(shards) + " DPFLOW=" + echoingDpflow(dir).string() +
                                  " bash " + (dir / "merge.sh").string());
    ASSERT_EQ(merge.status, 0) << merge.output;
    for (int i = 0; i < shards; ++i)
        EXPECT_NE(merge.output.find("/data/release/shard-" + std::to_string(i) + "-of-" + std::to_string(shards) + "\n"),
                  std::string::npos) << merge.output;
}

TEST(JobTemplates, SlurmArrayTasksAndMergeStepReleaseTheWholeStudyOnce) {
    const fs::path dir = test::freshTestDir("job-templates", "slurm");
    const fs::path study = test::writeSmallStudy(dir);
    nlohmann::json config = {{"inputs", {study.string()}}, {"model", test::smallModel()}, {"mechanism", "dpglow"},
                             {"epsilon", 1e5}, {"keep", {"label"}}, {"formats", {"png"}}, {"purpose", "job template test"}};
    std::ofstream(dir / "release.json") << config.dump(2);
    const std::string common = "DPFLOW=" + std::string(DPFLOW_CLI) + " DPFLOW_CONFIG=" + (dir / "release.json").string() +
                               " DPFLOW_OUT=" + (dir / "out").string();
    for (int task = 0; task < 2; ++task) {
        const CliRun run = runShell(common + " SLURM_ARRAY_TASK_ID=" + std::to_string(task) +
                                    " SLURM_ARRAY_TASK_COUNT=2 SLURM_ARRAY_TASK_MIN=0 bash " +
                                    (kInstaller / "slurm/dpflow-release-array.sbatch").string());
        ASSERT_EQ(run.status, 0) << run.output;
        EXPECT_TRUE(fs::exists(dir / "out" / ("shard-" + std::to_string(task) + "-of-2") / release_layout::kCertificate));
    }
    const CliRun merge = runShell(common + " DPFLOW_SHARDS=2 bash " + (kInstaller / "slurm/dpflow-release-merge.sbatch").string());
    ASSERT_EQ(merge.status, 0) << merge.output;
    EXPECT_NE(merge.output.find("OK: 13 files"), std::string::npos) << merge.output;
    const auto certificate = test::readJson(dir / "out/merged" / release_layout::kCertificate);
    EXPECT_EQ(certificate["counts"]["released"], 6);
    EXPECT_EQ(certificate["shards"], nlohmann::json::array({"0/2", "1/2"}));
}

TEST(JobTemplates, SlurmArrayNotStartingAtZeroIsRefused) {
    const CliRun run = runShell("DPFLOW=true DPFLOW_CONFIG=c DPFLOW_OUT=o SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=2 "
                                "SLURM_ARRAY_TASK_MIN=1 bash " + (kInstaller / "slurm/dpflow-release-array.sbatch").string());
    EXPECT_EQ(run.status, 2);
    EXPECT_NE(run.output.find("must start at 0"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace dpflow
