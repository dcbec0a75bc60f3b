#pragma once

// Saving and loading a Glow with its model card and latent calibration in one safetensors
// file. Internal to core/flow (LibTorch types); the facade is flow/flow_model.h.

#include "flow/glow.h"
#include "flow/model_card.h"
#include "flow/safetensors.h"

#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <string>

namespace dpflow {

/// A model as stored: the module, its card, and the calibration bounds ([D] float32 each,
/// undefined when the card has no calibration).
struct StoredGlow {
    Glow glow{nullptr};
    ModelCard card;
    torch::Tensor calibration_lo;
    torch::Tensor calibration_hi;
};

/// The card file written beside `weights`: same name with extension ".json".
std::filesystem::path modelCardPath(const std::filesystem::path& weights);

/// All parameters and buffers of `glow` (named as the module tree), the calibration tensors
/// when defined, and `extra_metadata`, with the card JSON in metadata "model_card".
SafetensorsFile glowToSafetensors(Glow& glow, const ModelCard& card, const torch::Tensor& lo,
                                  const torch::Tensor& hi, const std::map<std::string, std::string>& extra_metadata = {});

/// Writes `model.weights` atomically, and (when `write_card`) the card as JSON beside it.
/// Throws SafetensorsError on I/O failure.
void saveGlow(const std::filesystem::path& path, const StoredGlow& model, bool write_card = true,
              const std::map<std::string, std::string>& extra_metadata = {});

/// Rebuilds the module from the card and fills every parameter and buffer. The file must hold
/// exactly the tensors the architecture needs (plus calibration when the card says so) with
/// matching dtype and shape. Throws SafetensorsError naming the file and the first mismatch.
/// The module is returned in eval mode on the CPU.
StoredGlow glowFromSafetensors(const SafetensorsFile& file, const std::string& source);

/// readSafetensors + glowFromSafetensors.
StoredGlow loadGlow(const std::filesystem::path& path);

/// Converts between torch tensors (any device; copied to CPU) and stored tensors. Throws
/// SafetensorsError for a dtype without a safetensors equivalent.
SafetensorsTensor toStoredTensor(const torch::Tensor& tensor);
torch::Tensor fromStoredTensor(const SafetensorsTensor& stored);

}  // namespace dpflow
