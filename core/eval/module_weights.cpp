#include "eval/module_weights.h"

#include "flow/model_io.h"
#include "image/sha256.h"

#include <fmt/format.h>

#include <map>
#include <set>
#include <vector>

namespace dpflow {
namespace {

const char* const kHashKey = "weights_sha256";

std::map<std::string, torch::Tensor> namedTensors(torch::nn::Module& module) {
    std::map<std::string, torch::Tensor> tensors;
    for (const auto& item : module.named_parameters()) tensors[item.key()] = item.value();
    for (const auto& item : module.named_buffers()) tensors[item.key()] = item.value();
    return tensors;
}

std::string tensorBytesHash(const SafetensorsFile& file) {
    std::vector<std::uint8_t> bytes;
    for (const auto& [name, tensor] : file.tensors) {
        bytes.insert(bytes.end(), name.begin(), name.end());
        bytes.insert(bytes.end(), tensor.data.begin(), tensor.data.end());
    }
    return sha256Hex(bytes.data(), bytes.size());
}

}  // namespace

SafetensorsFile moduleToSafetensors(torch::nn::Module& module, SafetensorsDtype float_dtype) {
    if (float_dtype != SafetensorsDtype::F32 && float_dtype != SafetensorsDtype::F16)
        throw SafetensorsError("weights can be stored as F32 or F16 only, not " + dtypeName(float_dtype));
    const auto torch_float = float_dtype == SafetensorsDtype::F16 ? torch::kFloat16 : torch::kFloat32;
    SafetensorsFile file;
    torch::NoGradGuard no_grad;
    for (const auto& [name, tensor] : namedTensors(module)) {
        const auto stored = tensor.is_floating_point() ? tensor.to(torch_float) : tensor;
        file.tensors[name] = toStoredTensor(stored);
    }
    file.metadata[kHashKey] = tensorBytesHash(file);
    return file;
}

void loadModuleFromSafetensors(torch::nn::Module& module, const SafetensorsFile& file, const std::string& source) {
    const auto hash = file.metadata.find(kHashKey);
    if (hash == file.metadata.end())
        throw SafetensorsError(source + ": no weights_sha256 in the metadata (not a dpflow evaluation model)");
    if (hash->second != tensorBytesHash(file))
        throw SafetensorsError(source + ": the weights do not match their SHA-256 (the file is corrupt)");
    auto tensors = namedTensors(module);
    std::set<std::string> expected;
    torch::NoGradGuard no_grad;
    for (auto& [name, tensor] : tensors) {
        expected.insert(name);
        const auto found = file.tensors.find(name);
        if (found == file.tensors.end()) throw SafetensorsError(fmt::format("{}: tensor '{}' is missing", source, name));
        const auto stored = fromStoredTensor(found->second);
        if (stored.sizes() != tensor.sizes())
            throw SafetensorsError(fmt::format("{}: tensor '{}' has shape {} but the architecture needs {}", source, name,
                                               fmt::join(stored.sizes().vec(), "x"), fmt::join(tensor.sizes().vec(), "x")));
        tensor.copy_(stored.to(tensor.dtype()));
    }
    for (const auto& [name, unused] : file.tensors)
        if (expected.count(name) == 0) throw SafetensorsError(fmt::format("{}: unexpected tensor '{}'", source, name));
}

}  // namespace dpflow
