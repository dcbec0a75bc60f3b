#include "eval/decoder_artifacts.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace dpflow {
namespace {

struct BlockStatistics {
    double standard_deviation = 0.0;
    double saturated_fraction = 0.0;
};

BlockStatistics blockStatistics(const Image& image, int x0, int y0, int block) {
    constexpr float kLevel = 0.5f / 255.0f;
    double sum = 0.0, sum_squares = 0.0;
    int saturated = 0;
    for (int y = y0; y < y0 + block; ++y)
        for (int x = x0; x < x0 + block; ++x) {
            const float v = image.at(x, y);
            sum += v;
            sum_squares += static_cast<double>(v) * v;
            saturated += v <= kLevel || v >= 1.0f - kLevel;
        }
    const double n = static_cast<double>(block) * block;
    const double mean = sum / n;
    return {std::sqrt(std::max(0.0, sum_squares / n - mean * mean)), saturated / n};
}

double largestChange(const Image& original, const Image& decoded, int x0, int y0, int block) {
    double largest = 0.0;
    for (int y = y0; y < y0 + block; ++y)
        for (int x = x0; x < x0 + block; ++x)
            largest = std::max(largest, static_cast<double>(std::abs(decoded.at(x, y) - original.at(x, y))));
    return largest;
}

}  // namespace

double DecoderArtifacts::largestChangeInArtifacts() const {
    double largest = 0.0;
    for (const auto& block : where) largest = std::max(largest, block.largest_change);
    return largest;
}

DecoderArtifacts countDecoderArtifacts(const Image& original, const Image& decoded, int block) {
    if (block < 2) throw std::invalid_argument("the artifact block must be at least 2 pixels");
    if (original.width != decoded.width || original.height != decoded.height)
        throw std::invalid_argument("the decoded film and the original differ in size");
    const int columns = original.width / block, rows = original.height / block;
    std::vector<BlockStatistics> before;
    double largest = 0.0;
    for (int by = 0; by < rows; ++by)
        for (int bx = 0; bx < columns; ++bx) {
            before.push_back(blockStatistics(original, bx * block, by * block, block));
            largest = std::max(largest, before.back().standard_deviation);
        }
    DecoderArtifacts found;
    for (int by = 0; by < rows; ++by)
        for (int bx = 0; bx < columns; ++bx) {
            const BlockStatistics after = blockStatistics(decoded, bx * block, by * block, block);
            const BlockStatistics& was = before[static_cast<size_t>(by) * columns + bx];
            ++found.blocks;
            const bool noisy = after.standard_deviation > 2.0 * largest;
            const bool saturated = after.saturated_fraction >= 0.9 && was.saturated_fraction < 0.9;
            found.noisy += noisy;
            found.saturated += saturated;
            if (noisy || saturated)
                found.where.push_back({bx * block, by * block, noisy, saturated, was.saturated_fraction, after.saturated_fraction,
                                       largestChange(original, decoded, bx * block, by * block, block)});
        }
    return found;
}

}  // namespace dpflow
