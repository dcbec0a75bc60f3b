#pragma once

#include <filesystem>
#include <vector>

namespace dpflow {

/// File name of the studio's default model (a calibrated conditional GLOW at 128 px).
extern const char* const kDefaultStudioModel;

/// Where shipped models are looked for, in order, for an executable at `executable`:
/// <exe dir>/../share/dpflow-studio/models (installed), then the source tree's models/ folder
/// this build was configured from (running from a build tree).
std::vector<std::filesystem::path> modelSearchFolders(const std::filesystem::path& executable);

/// The first existing `name` in modelSearchFolders(executable). Throws std::runtime_error
/// listing every folder searched and naming --model when none holds it.
std::filesystem::path locateShippedModel(const std::filesystem::path& executable, const std::filesystem::path& name);

/// This process's executable (/proc/self/exe); empty when the system does not say.
std::filesystem::path currentExecutable();

}  // namespace dpflow
