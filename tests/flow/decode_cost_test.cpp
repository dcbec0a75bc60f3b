#include "flow/decode_cost.h"

#include "flow/glow.h"
#include "flow_test_support.h"

namespace dpflow {
namespace {

using test::FlowTest;
using test::tinyConfig;

// The same count from the module tree itself: every convolution's weights times the positions
// it is applied at (a level's size is image_size / 2^(level+1)), and the inverse 1x1 as C x C.
std::int64_t multiplyAddsFromWeights(Glow& glow) {
    const FlowConfig& config = glow->config();
    std::int64_t total = 0;
    for (const auto& item : glow->named_parameters()) {
        const std::string& name = item.key();
        const int level = std::stoi(name.substr(std::string("levels.").size()));
        const std::int64_t side = config.image_size >> (level + 1);
        const bool conv = name.find("coupling.net.") != std::string::npos || name.find("prior.conv.weight") != std::string::npos;
        if (conv && name.size() > 7 && name.compare(name.size() - 7, 7, ".weight") == 0) total += item.value().numel() * side * side;
        if (name.find("invconv.upper") != std::string::npos) total += item.value().numel() * side * side;
    }
    return total;
}

TEST_F(FlowTest, DecodeMultiplyAddsAreEveryConvolutionsWeightsTimesItsPositions) {
    for (const auto& [size, levels] : {std::pair{8, 1}, std::pair{16, 2}, std::pair{32, 3}}) {
        FlowConfig config = tinyConfig(size, levels);
        Glow glow(config);
        EXPECT_EQ(decodeMultiplyAdds(config), multiplyAddsFromWeights(glow)) << size << " px, " << levels << " levels";
    }
    // By hand, 8 px, one level, one step, hidden 4, no attributes: after the squeeze C = 4 on 4 x 4;
    // coupling 9*2*4 + 4*4 + 9*4*4 = 232 and the inverse 1x1 16 per position.
    FlowConfig small;
    small.image_size = 8;
    small.levels = 1;
    small.steps = 1;
    small.hidden_channels = 4;
    EXPECT_EQ(decodeMultiplyAdds(small), (232 + 16) * 16);
}

}  // namespace
}  // namespace dpflow
