#include "preview/model_location.h"

#include <stdexcept>
#include <system_error>

namespace dpflow {

const char* const kDefaultStudioModel = "phantom128-glow.safetensors";

std::vector<std::filesystem::path> modelSearchFolders(const std::filesystem::path& executable) {
    std::vector<std::filesystem::path> folders;
    if (!executable.empty())
        folders.push_back((executable.parent_path() / ".." / "share" / "dpflow-studio" / "models").lexically_normal());
    folders.emplace_back(DPFLOW_SOURCE_MODELS_DIR);
    return folders;
}

std::filesystem::path locateShippedModel(const std::filesystem::path& executable, const std::filesystem::path& name) {
    std::string searched;
    for (const auto& folder : modelSearchFolders(executable)) {
        const auto candidate = folder / name;
        std::error_code error;
        if (std::filesystem::is_regular_file(candidate, error)) return candidate;
        searched += "\n  " + folder.string();
    }
    throw std::runtime_error("cannot find the model " + name.string() + "; searched:" + searched +
                             "\ngive the weights file with --model");
}

std::filesystem::path currentExecutable() {
    std::error_code error;
    auto path = std::filesystem::read_symlink("/proc/self/exe", error);
    return error ? std::filesystem::path() : path;
}

}  // namespace dpflow
