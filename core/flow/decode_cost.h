#pragma once

#include "flow/flow_config.h"

#include <cstdint>

namespace dpflow {

/// Multiply-adds of one batch-1 decode of `config`'s flow, counted layer by layer as
/// glow_layers.h defines them: per step the coupling network (3x3 convolution of the kept half
/// and the one-hot attributes to the hidden width, 1x1 hidden to hidden, zero-initialised 3x3
/// back to the step's channels) and the fused inverse of ActNorm and the 1x1 convolution
/// (C x C per position); per split level the conditional prior's 3x3 convolution. Element-wise
/// work (the affine, the clamp, ActNorm's bias, the attributes' linear map) is left out: it is
/// below 1% of the total and not multiply-add bound. Two floating-point operations each.
std::int64_t decodeMultiplyAdds(const FlowConfig& config);

}  // namespace dpflow
