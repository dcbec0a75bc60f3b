#pragma once

#include "image/manifest.h"

#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace dpflow::test {

/// What a command printed (stdout and stderr together) and its exit status; 128 + signal when
/// it was killed.
struct CliRun {
    int status = -1;
    std::string output;
};

/// Runs a shell command line and collects its output.
inline CliRun runShell(const std::string& command_line) {
    CliRun run;
    FILE* pipe = ::popen((command_line + " 2>&1").c_str(), "r");
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) run.output.append(buffer, n);
    const int status = ::pclose(pipe);
    run.status = WIFEXITED(status) ? WEXITSTATUS(status) : (WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1);
    return run;
}

/// Runs the dpflow CLI with `arguments`.
inline CliRun dpflow(const std::string& arguments) {
    return runShell(std::string(DPFLOW_CLI) + " " + arguments);
}

inline nlohmann::json readJson(const std::filesystem::path& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

/// The 32 px PneumoniaMNIST flow shipped in models/ (attribute "label", calibrated).
inline std::string smallModel() {
    return std::string(DPFLOW_SOURCE_DIR) + "/models/pneumoniamnist-glow32.safetensors";
}

/// A fresh folder for one test under the build tree.
inline std::filesystem::path freshTestDir(const std::string& suite, const std::string& name) {
    const std::filesystem::path dir = std::filesystem::path(DPFLOW_BINARY_DIR) / suite / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

/// Writes `dir`/study.csv listing the first six PneumoniaMNIST test images (both labels) with
/// their label and a made-up patient id, and returns its path.
inline std::filesystem::path writeSmallStudy(const std::filesystem::path& dir) {
    const std::filesystem::path data = std::filesystem::path(DPFLOW_SHARED_DATA_DIR) / "pneumoniamnist";
    const Manifest labels = Manifest::read(data / "labels.csv");
    Manifest manifest({"file", "label", "patient_id"}, dir);
    for (std::size_t row : labels.rowsInSplit("test")) {
        if (manifest.size() == 6) break;
        manifest.addRow({labels.file(row).string(), labels.value(row, "label"), "P" + std::to_string(row)});
    }
    manifest.write(dir / "study.csv");
    return dir / "study.csv";
}

}  // namespace dpflow::test
