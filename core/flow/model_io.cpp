#include "flow/model_io.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <set>

namespace dpflow {
namespace {

constexpr const char* kCalibrationLo = "calibration.lo";
constexpr const char* kCalibrationHi = "calibration.hi";

struct DtypePair {
    SafetensorsDtype stored;
    torch::ScalarType torch_type;
};

constexpr DtypePair kDtypePairs[] = {
    {SafetensorsDtype::F64, torch::kFloat64}, {SafetensorsDtype::F32, torch::kFloat32},
    {SafetensorsDtype::F16, torch::kFloat16}, {SafetensorsDtype::BF16, torch::kBFloat16},
    {SafetensorsDtype::I64, torch::kInt64},   {SafetensorsDtype::I32, torch::kInt32},
    {SafetensorsDtype::I16, torch::kInt16},   {SafetensorsDtype::I8, torch::kInt8},
    {SafetensorsDtype::U8, torch::kUInt8},    {SafetensorsDtype::BOOL, torch::kBool},
};

std::string shapeText(const std::vector<int64_t>& shape) {
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

}  // namespace

SafetensorsTensor toStoredTensor(const torch::Tensor& tensor) {
    const auto cpu = tensor.detach().to(torch::kCPU).contiguous();
    for (const auto& pair : kDtypePairs) {
        if (pair.torch_type == cpu.scalar_type()) {
            SafetensorsTensor stored;
            stored.dtype = pair.stored;
            stored.shape = cpu.sizes().vec();
            const auto* begin = static_cast<const uint8_t*>(cpu.data_ptr());
            stored.data.assign(begin, begin + cpu.numel() * static_cast<int64_t>(cpu.element_size()));
            return stored;
        }
    }
    throw SafetensorsError(std::string("no safetensors dtype for torch type ") + c10::toString(cpu.scalar_type()));
}

torch::Tensor fromStoredTensor(const SafetensorsTensor& stored) {
    for (const auto& pair : kDtypePairs) {
        if (pair.stored == stored.dtype) {
            auto tensor = torch::empty(stored.shape, torch::TensorOptions().dtype(pair.torch_type));
            std::memcpy(tensor.data_ptr(), stored.data.data(), stored.data.size());
            return tensor;
        }
    }
    throw SafetensorsError("dtype " + dtypeName(stored.dtype) + " cannot be loaded into a model");
}

std::filesystem::path modelCardPath(const std::filesystem::path& weights) {
    auto path = weights;
    return path.replace_extension(".json");
}

SafetensorsFile glowToSafetensors(Glow& glow, const ModelCard& card, const torch::Tensor& lo, const torch::Tensor& hi,
                                  const std::map<std::string, std::string>& extra_metadata) {
    SafetensorsFile file;
    for (const auto& item : glow->named_parameters()) file.tensors[item.key()] = toStoredTensor(item.value());
    for (const auto& item : glow->named_buffers()) file.tensors[item.key()] = toStoredTensor(item.value());
    if (lo.defined()) file.tensors[kCalibrationLo] = toStoredTensor(lo.to(torch::kFloat32));
    if (hi.defined()) file.tensors[kCalibrationHi] = toStoredTensor(hi.to(torch::kFloat32));
    file.metadata = extra_metadata;
    file.metadata["format"] = "dpflow-glow";
    file.metadata["model_card"] = modelCardToJson(card).dump();
    return file;
}

void saveGlow(const std::filesystem::path& path, const StoredGlow& model, bool write_card,
              const std::map<std::string, std::string>& extra_metadata) {
    auto glow = model.glow;
    writeSafetensors(path, glowToSafetensors(glow, model.card, model.calibration_lo, model.calibration_hi, extra_metadata));
    if (write_card) {
        const auto card_path = modelCardPath(path);
        std::ofstream out(card_path, std::ios::trunc);
        out << modelCardToJson(model.card).dump(2) << '\n';
        if (!out.flush()) throw SafetensorsError(card_path.string() + ": cannot write the model card");
    }
}

StoredGlow glowFromSafetensors(const SafetensorsFile& file, const std::string& source) {
    const auto card_text = file.metadata.find("model_card");
    if (card_text == file.metadata.end()) {
        throw SafetensorsError(source + ": no model card in __metadata__ (not a dpflow flow model)");
    }
    StoredGlow model;
    try {
        model.card = modelCardFromJson(nlohmann::json::parse(card_text->second));
    } catch (const std::exception& e) {
        throw SafetensorsError(source + ": " + e.what());
    }
    model.glow = Glow(model.card.config);
    std::set<std::string> expected;
    auto fill = [&](const std::string& name, torch::Tensor& target) {
        expected.insert(name);
        const auto it = file.tensors.find(name);
        if (it == file.tensors.end()) throw SafetensorsError(source + ": missing tensor '" + name + "'");
        const auto& stored = it->second;
        const auto loaded = fromStoredTensor(stored);
        if (loaded.scalar_type() != target.scalar_type()) {
            throw SafetensorsError(source + ": tensor '" + name + "' has dtype " + dtypeName(stored.dtype) +
                                   ", the model needs " + c10::toString(target.scalar_type()));
        }
        if (loaded.sizes() != target.sizes()) {
            throw SafetensorsError(source + ": tensor '" + name + "' has shape " + shapeText(stored.shape) +
                                   ", the architecture in the card needs " + shapeText(target.sizes().vec()));
        }
        torch::NoGradGuard no_grad;
        target.copy_(loaded);
    };
    for (auto& item : model.glow->named_parameters()) fill(item.key(), item.value());
    for (auto& item : model.glow->named_buffers()) fill(item.key(), item.value());
    if (model.card.hasCalibration()) {
        const auto dim = model.card.config.latentDim();
        model.calibration_lo = torch::empty({dim});
        model.calibration_hi = torch::empty({dim});
        fill(kCalibrationLo, model.calibration_lo);
        fill(kCalibrationHi, model.calibration_hi);
        if ((model.calibration_lo > model.calibration_hi).any().item<bool>()) {
            throw SafetensorsError(source + ": calibration.lo exceeds calibration.hi somewhere");
        }
    }
    for (const auto& [name, tensor] : file.tensors) {
        if (!expected.count(name)) {
            throw SafetensorsError(source + ": unexpected tensor '" + name + "' (file and model card disagree)");
        }
    }
    model.glow->eval();
    return model;
}

StoredGlow loadGlow(const std::filesystem::path& path) {
    return glowFromSafetensors(readSafetensors(path), path.string());
}

}  // namespace dpflow
