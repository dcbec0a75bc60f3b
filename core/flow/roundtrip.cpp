#include "flow/roundtrip.h"

#include "flow/safetensors.h"
#include "image/image_reader.h"
#include "image/manifest.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace dpflow {
namespace {

SafetensorsTensor stack(const std::vector<RoundtripRecord>& records, std::vector<float> RoundtripRecord::*field,
                        std::vector<int64_t> item_shape) {
    SafetensorsTensor tensor;
    tensor.dtype = SafetensorsDtype::F32;
    tensor.shape = {static_cast<int64_t>(records.size())};
    tensor.shape.insert(tensor.shape.end(), item_shape.begin(), item_shape.end());
    for (const auto& record : records) {
        const auto& values = record.*field;
        const auto* bytes = reinterpret_cast<const uint8_t*>(values.data());
        tensor.data.insert(tensor.data.end(), bytes, bytes + values.size() * sizeof(float));
    }
    return tensor;
}

}  // namespace

std::vector<RoundtripInput> roundtripInputsFromManifest(const FlowModel& model, const std::filesystem::path& manifest_path,
                                                        const std::string& split, std::size_t max_images) {
    const auto manifest = Manifest::read(manifest_path);
    std::vector<RoundtripInput> inputs;
    for (const auto row : manifest.rowsInSplit(split)) {
        if (max_images > 0 && inputs.size() == max_images) break;
        RoundtripInput input{manifest.file(row), {}};
        for (const auto& attribute : model.card().config.attributes) {
            input.attributes[attribute.name] = manifest.value(row, attribute.name);
        }
        inputs.push_back(std::move(input));
    }
    return inputs;
}

RoundtripRecord roundtripImage(const FlowModel& model, const std::filesystem::path& file, const AttributeValues& attributes) {
    RoundtripRecord record;
    record.file = file;
    record.input = model.prepare(readImage(file));
    record.latent = model.encode(record.input, attributes);
    record.decoded = model.decode(record.latent, attributes);
    double sum = 0.0;
    for (size_t i = 0; i < record.input.size(); ++i) {
        const double e = std::abs(static_cast<double>(record.decoded[i]) - record.input[i]);
        record.max_error = std::max(record.max_error, e);
        sum += e;
    }
    record.mean_error = sum / static_cast<double>(record.input.size());
    return record;
}

void saveRoundtripRecords(const std::filesystem::path& path, const FlowModel& model,
                          const std::vector<RoundtripRecord>& records, const AttributeValues& attributes) {
    const int64_t size = model.card().config.image_size;
    SafetensorsFile file;
    file.tensors["input"] = stack(records, &RoundtripRecord::input, {size, size});
    file.tensors["latent"] = stack(records, &RoundtripRecord::latent, {model.layout().total});
    file.tensors["decoded"] = stack(records, &RoundtripRecord::decoded, {size, size});
    nlohmann::json files = nlohmann::json::array();
    for (const auto& record : records) files.push_back(record.file.string());
    file.metadata["files"] = files.dump();
    file.metadata["attributes"] = nlohmann::json(attributes).dump();
    writeSafetensors(path, file);
}

}  // namespace dpflow
