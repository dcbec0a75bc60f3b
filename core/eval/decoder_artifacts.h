#pragma once

// Decoder artifacts of a privatized film, by a count fixed before training the real-film model:
// a block of the decoded film is an artifact when its standard deviation exceeds twice the
// largest block standard deviation of the original film (square noise blocks where burned-in
// text and markers were), or when it is saturated (>= 90% of its pixels at 0 or 1) where the
// original block is not (black or white patches).

#include "image/image.h"

#include <vector>

namespace dpflow {

/// One artifact block: its top-left pixel, what made it one, and how far it moved: a block
/// flagged saturated whose pixels each moved by a gray level or two sat on the 90% threshold
/// already (a near-black border a level darker), unlike a patch blown to black or white.
struct ArtifactBlock {
    int x = 0;
    int y = 0;
    bool noisy = false;
    bool saturated = false;
    double saturated_before = 0.0;  ///< fraction of the original block's pixels at 0 or 1
    double saturated_after = 0.0;   ///< the same fraction in the decoded block
    double largest_change = 0.0;    ///< max |decoded - original| over the block (display units)
};

/// What countDecoderArtifacts found on one decoded film.
struct DecoderArtifacts {
    int blocks = 0;     ///< blocks compared
    int noisy = 0;      ///< standard deviation above twice the original's largest block standard deviation
    int saturated = 0;  ///< >= 90% of pixels at 0 or 1 (within half an 8-bit level) where the original block is not
    int artifacts() const { return noisy + saturated; }  ///< a block that is both counts in both
    std::vector<ArtifactBlock> where;  ///< every artifact block, in row order
    /// The largest largest_change among the artifact blocks (0 when there is none).
    double largestChangeInArtifacts() const;
};

/// Compares `decoded` with `original` (same size, display values in [0, 1]) over the
/// non-overlapping block x block tiles that fit (a partial edge is ignored). Throws
/// std::invalid_argument for different sizes or block < 2.
DecoderArtifacts countDecoderArtifacts(const Image& original, const Image& decoded, int block = 16);

}  // namespace dpflow
