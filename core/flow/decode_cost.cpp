#include "flow/decode_cost.h"

namespace dpflow {

std::int64_t decodeMultiplyAdds(const FlowConfig& config) {
    config.validate();
    const std::int64_t cond = config.conditionDim();
    const std::int64_t hidden = config.hidden_channels;
    std::int64_t in_channels = 1;
    std::int64_t size = config.image_size;
    std::int64_t total = 0;
    for (int level = 0; level < config.levels; ++level) {
        const std::int64_t channels = in_channels * 4;  // after the squeeze
        size /= 2;
        const std::int64_t positions = size * size;
        const std::int64_t coupling = 9 * (channels / 2 + cond) * hidden + hidden * hidden + 9 * hidden * channels;
        const std::int64_t inverse_1x1 = channels * channels;
        total += config.steps * (coupling + inverse_1x1) * positions;
        const bool top = level == config.levels - 1;
        if (!top) total += 9 * (channels / 2) * channels * positions;  // prior of the split-off half
        in_channels = top ? channels : channels / 2;
    }
    return total;
}

}  // namespace dpflow
