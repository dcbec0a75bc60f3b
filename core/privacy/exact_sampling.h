#pragma once

#include "privacy/random_source.h"

#include <cstdint>

namespace dpflow {

// Exact samplers on integers and rationals (Canonne, Kamath and Steinke, "The Discrete Gaussian
// for Differential Privacy", 2020, Algorithms 1 and 2). They consume only uniformly random bits
// and integer comparisons: no logarithm of a uniform double, so the output distribution has none
// of the floating-point gaps that make textbook Laplace sampling leak (Mironov 2012).

using UInt128 = unsigned __int128;

/// Writes a positive finite double exactly as numerator / denominator, the denominator a power
/// of two. Returns false when either would not fit 64 bits (values above about 2^63 or with
/// bits below 2^-63), so callers refuse such inputs instead of rounding them.
bool asExactFraction(double value, std::uint64_t& numerator, std::uint64_t& denominator);

/// A uniform integer in [0, n) by rejection sampling on the minimal number of bits. n >= 1.
UInt128 uniformBelow(RandomSource& source, UInt128 n);

/// True with probability numerator / denominator exactly (0 <= numerator <= denominator, denominator >= 1).
bool bernoulliRational(RandomSource& source, UInt128 numerator, UInt128 denominator);

/// True with probability exp(-numerator / denominator) exactly (numerator >= 0, denominator >= 1).
bool bernoulliExpMinus(RandomSource& source, std::uint64_t numerator, std::uint64_t denominator);

/// An integer k with probability proportional to exp(-|k| / scale). `scale` is a positive finite
/// double below 2^62 that asExactFraction can represent; it is used exactly.
/// Throws std::invalid_argument for a scale outside that range.
std::int64_t sampleDiscreteLaplace(RandomSource& source, double scale);

}  // namespace dpflow
