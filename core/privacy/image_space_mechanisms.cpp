#include "privacy/image_space_mechanisms.h"

#include "privacy/grid_laplace_sampler.h"

#include <algorithm>
#include <stdexcept>

namespace dpflow {
namespace {

void requireReleasable(const Image& image, double epsilon) {
    if (image.empty()) throw std::invalid_argument("cannot privatize an empty image");
    if (!(epsilon > 0.0)) throw std::invalid_argument("epsilon must be positive");
}

// Clips to [0, 1] and counts how many values needed it.
float clipToUnit(double value, std::size_t& clipped) {
    if (value < 0.0 || value > 1.0) ++clipped;
    return static_cast<float>(std::clamp(value, 0.0, 1.0));
}

Image derivedFrom(const Image& source) {
    Image image = makeImage(source.width, source.height);
    image.stored_bits = source.stored_bits;
    image.pixel_spacing_mm = source.pixel_spacing_mm;
    return image;
}

}  // namespace

LaplaceNoisePlan planPixelNoise(int width, int height, double epsilon) {
    if (width < 1 || height < 1) throw std::invalid_argument("cannot privatize an empty image");
    const std::size_t pixels = static_cast<std::size_t>(width) * height;
    return planLaplaceNoise(static_cast<double>(pixels), pixels, epsilon);
}

LaplaceNoisePlan planDpPixNoise(int width, int height, int cell, int neighbourhood_pixels, double epsilon) {
    if (width < 1 || height < 1) throw std::invalid_argument("cannot privatize an empty image");
    if (cell < 1) throw std::invalid_argument("the dppix cell size must be at least 1 pixel");
    if (neighbourhood_pixels < 1) throw std::invalid_argument("the dppix neighbourhood m must be at least 1 pixel");
    const int cells_x = (width + cell - 1) / cell;
    const int cells_y = (height + cell - 1) / cell;
    const int smallest_width = width % cell == 0 ? cell : width % cell;
    const int smallest_height = height % cell == 0 ? cell : height % cell;
    const double sensitivity = static_cast<double>(neighbourhood_pixels) / (smallest_width * smallest_height);
    return planLaplaceNoise(sensitivity, static_cast<std::size_t>(cells_x) * cells_y, epsilon);
}

ImageSpaceRelease applyCellMechanism(const Image& image, int cell, const LaplaceNoisePlan& plan, const CellNoise& add_noise) {
    if (cell < 1) throw std::invalid_argument("the cell size must be at least 1 pixel");
    if (image.empty()) throw std::invalid_argument("cannot privatize an empty image");
    ImageSpaceRelease release{derivedFrom(image), plan};
    const int cells_x = (image.width + cell - 1) / cell;
    const int cells_y = (image.height + cell - 1) / cell;
    std::size_t clipped = 0, index = 0;
    for (int cy = 0; cy < cells_y; ++cy) {
        for (int cx = 0; cx < cells_x; ++cx, ++index) {
            const int x0 = cx * cell, y0 = cy * cell;
            const int x1 = std::min(x0 + cell, image.width), y1 = std::min(y0 + cell, image.height);
            double sum = 0.0;
            for (int y = y0; y < y1; ++y)
                for (int x = x0; x < x1; ++x) sum += image.at(x, y);
            const float value = clipToUnit(add_noise(index, sum / ((x1 - x0) * (y1 - y0))), clipped);
            for (int y = y0; y < y1; ++y)
                for (int x = x0; x < x1; ++x) release.image.at(x, y) = value;
        }
    }
    release.clipped_fraction = static_cast<double>(clipped) / static_cast<double>(index);
    return release;
}

ImageSpaceRelease privatizePixels(const Image& image, double epsilon, RandomSource& source) {
    requireReleasable(image, epsilon);
    const LaplaceNoisePlan plan = planPixelNoise(image.width, image.height, epsilon);
    GridLaplaceSampler sampler(source, plan);
    return applyCellMechanism(image, 1, plan, [&sampler](std::size_t, double value) { return sampler.privatize(value); });
}

ImageSpaceRelease privatizeDpPix(const Image& image, int cell, int neighbourhood_pixels, double epsilon,
                                 RandomSource& source) {
    requireReleasable(image, epsilon);
    const LaplaceNoisePlan plan = planDpPixNoise(image.width, image.height, cell, neighbourhood_pixels, epsilon);
    GridLaplaceSampler sampler(source, plan);
    return applyCellMechanism(image, cell, plan, [&sampler](std::size_t, double value) { return sampler.privatize(value); });
}

}  // namespace dpflow
