#pragma once

#include "flow/flow_model.h"

#include <vector>

namespace dpflow {

/// Decode latency at batch 1, the cost of one slider move in the studio.
struct DecodeTiming {
    int runs = 0;
    double median_ms = 0.0;
    double min_ms = 0.0;
    double max_ms = 0.0;
};

/// Times `runs` decodes (after 3 untimed warm-up decodes) of standard-normal latents under
/// each attribute's first value. Throws std::invalid_argument for runs < 1.
DecodeTiming measureDecodeLatency(const FlowModel& model, int runs);

}  // namespace dpflow
