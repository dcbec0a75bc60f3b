#pragma once

// Storing a torch module's parameters and buffers in safetensors, with an integrity hash.
// Internal to core/eval (LibTorch types).

#include "flow/safetensors.h"

#include <torch/torch.h>

#include <string>

namespace dpflow {

/// Every parameter and buffer of `module`, named as the module tree. Floating-point tensors are
/// stored as `float_dtype` (F32 or F16: half the file, enough for these small networks); other
/// tensors (batch-norm counters) as they are. Metadata "weights_sha256" holds the SHA-256 of all
/// tensor bytes in name order, so a flipped bit is detected on load, not just a truncation.
SafetensorsFile moduleToSafetensors(torch::nn::Module& module, SafetensorsDtype float_dtype);

/// Fills every parameter and buffer of `module` from `file` (floating-point tensors are
/// converted to the module's dtype). Throws SafetensorsError naming `source` when the hash does
/// not match, a tensor is missing or unexpected, or a shape differs.
void loadModuleFromSafetensors(torch::nn::Module& module, const SafetensorsFile& file, const std::string& source);

}  // namespace dpflow
