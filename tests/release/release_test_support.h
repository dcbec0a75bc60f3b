#pragma once

#include "../support/command_runner.h"
#include "image/manifest.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>

namespace dpflow::test {

using CliRun = CommandRun;

/// Runs a shell command line and collects its output.
inline CliRun runShell(const std::string& command_line) { return runCommand(command_line); }

/// Runs the dpflow CLI with `arguments`.
inline CliRun dpflow(const std::string& arguments) { return runDpflow(arguments); }

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
