#pragma once

#include "flow/flow_model.h"

#include <filesystem>
#include <string>
#include <vector>

namespace dpflow {

/// Encode-then-decode of one image: the exactness check of a model (`dpflow roundtrip`).
struct RoundtripRecord {
    std::filesystem::path file;
    std::vector<float> input;    ///< prepared image (size*size display values)
    std::vector<float> latent;   ///< encode(input)
    std::vector<float> decoded;  ///< decode(latent)
    double max_error = 0.0;      ///< max |decoded - input|
    double mean_error = 0.0;     ///< mean |decoded - input|
};

/// One image to check and the attribute values it is encoded and decoded under.
struct RoundtripInput {
    std::filesystem::path file;
    AttributeValues attributes;
};

/// The first `max_images` rows (0: all) of `split` in a manifest, each with its own values of the
/// model's attributes (the manifest columns named like them), so a conditional model is checked
/// under the attributes each image really has. Throws ManifestError for a missing column.
std::vector<RoundtripInput> roundtripInputsFromManifest(const FlowModel& model, const std::filesystem::path& manifest,
                                                        const std::string& split, std::size_t max_images);

/// Reads, prepares, encodes and decodes `file` under `attributes`. Throws the reader's and the
/// model's errors.
RoundtripRecord roundtripImage(const FlowModel& model, const std::filesystem::path& file, const AttributeValues& attributes);

/// Writes records as safetensors ("input" [N,S,S], "latent" [N,D], "decoded" [N,S,S], F32;
/// metadata: the files and attributes) so that an independent implementation
/// (tools/reference/glow_reference.py) can check the latents and reconstructions.
/// Throws SafetensorsError.
void saveRoundtripRecords(const std::filesystem::path& path, const FlowModel& model,
                          const std::vector<RoundtripRecord>& records, const AttributeValues& attributes);

}  // namespace dpflow
