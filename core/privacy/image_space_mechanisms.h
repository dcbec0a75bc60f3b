#pragma once

#include "image/image.h"
#include "privacy/laplace_noise_plan.h"
#include "privacy/random_source.h"

#include <functional>

namespace dpflow {

/// An image privatized in pixel space, with the accounting that produced it.
struct ImageSpaceRelease {
    Image image;             ///< the privatized display values, clipped to [0, 1]
    LaplaceNoisePlan plan;   ///< sensitivity, grid and scale (in display units, [0, 1] per pixel)
    double clipped_fraction = 0.0;  ///< share of output values that noise pushed outside [0, 1]
};

/// The accounting of privatizePixels for a width x height image: Delta = D = width * height.
/// Throws std::invalid_argument for an empty size or a non-positive eps.
LaplaceNoisePlan planPixelNoise(int width, int height, double epsilon);

/// The accounting of privatizeDpPix for a width x height image (see there for the sensitivity).
/// Throws std::invalid_argument for cell < 1, m < 1, an empty size or a non-positive eps.
LaplaceNoisePlan planDpPixNoise(int width, int height, int cell, int neighbourhood_pixels, double epsilon);

/// Noise added to cell `index`'s mean `value` (row-major over the cells): the grid Laplace
/// sampler on release, the studio's fixed unit draw scaled by b in its preview.
using CellNoise = std::function<double(std::size_t index, double value)>;

/// The steps of `pixel` (cell 1) and `dppix`: average `image` over cells of cell x cell pixels
/// (partial cells at the right and bottom edges average the pixels they have), add
/// `add_noise` to each mean, clip to [0, 1] and paint each value back over its cell. The plan
/// is the caller's (planPixelNoise, planDpPixNoise); `clipped_fraction` is per cell.
ImageSpaceRelease applyCellMechanism(const Image& image, int cell, const LaplaceNoisePlan& plan, const CellNoise& add_noise);

/// M4 `pixel`: every pixel in [0, 1] gets Laplace noise of scale H*W / eps (L1 sensitivity of a
/// whole image is H*W when any image may replace any other), then is clipped to [0, 1].
/// Throws std::invalid_argument for an empty image or a non-positive eps.
ImageSpaceRelease privatizePixels(const Image& image, double epsilon, RandomSource& source);

/// M4 `dppix` (Fan 2018): the image is averaged over cells of cell x cell pixels, each cell mean
/// gets Laplace noise of scale m / (cell^2 eps) (the paper's 255 m / (b^2 eps) in [0, 1] units:
/// images differing in at most m pixels move the cell means by at most m / cell^2 in L1), and
/// the noisy means are clipped and painted back over their cells. Partial cells at the right
/// and bottom edges average the pixels they have; one pixel moves such a mean by more, so the
/// sensitivity divides by the smallest cell's area, which equals cell^2 when the cells tile the
/// image exactly.
/// Throws std::invalid_argument for cell < 1, m < 1, an empty image or a non-positive eps.
ImageSpaceRelease privatizeDpPix(const Image& image, int cell, int neighbourhood_pixels, double epsilon,
                                 RandomSource& source);

}  // namespace dpflow
