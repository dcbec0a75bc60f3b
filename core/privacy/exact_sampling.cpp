#include "privacy/exact_sampling.h"

#include <cmath>
#include <stdexcept>

namespace dpflow {
namespace {

int bitLength(UInt128 value) {
    int bits = 0;
    while (value != 0) {
        ++bits;
        value >>= 1;
    }
    return bits;
}

UInt128 randomBits(RandomSource& source, int bits) {
    UInt128 value = source.nextUint64();
    if (bits > 64) value = (value << 64) | source.nextUint64();
    return bits >= 128 ? value : value & ((UInt128(1) << bits) - 1);
}

// exp(-g) for g = numerator / denominator in [0, 1] (CKS Algorithm 1): count k while
// Bernoulli(g / k) succeeds; the count is odd with probability exactly exp(-g).
bool bernoulliExpMinusAtMostOne(RandomSource& source, std::uint64_t numerator, std::uint64_t denominator) {
    std::uint64_t k = 1;
    while (bernoulliRational(source, numerator, UInt128(denominator) * k)) ++k;
    return (k % 2) == 1;
}

}  // namespace

bool asExactFraction(double value, std::uint64_t& numerator, std::uint64_t& denominator) {
    if (!(value > 0.0) || !std::isfinite(value)) return false;
    int exponent = 0;
    const double mantissa = std::frexp(value, &exponent);  // value = mantissa * 2^exponent, mantissa in [0.5, 1)
    std::uint64_t integer = static_cast<std::uint64_t>(std::ldexp(mantissa, 53));
    int shift = exponent - 53;  // value = integer * 2^shift
    while (shift < 0 && (integer & 1u) == 0) {
        integer >>= 1;
        ++shift;
    }
    if (shift >= 0) {
        if (shift > 10) return false;  // integer < 2^53, so integer << 10 still fits 64 bits
        numerator = integer << shift;
        denominator = 1;
    } else {
        if (-shift > 63) return false;
        numerator = integer;
        denominator = std::uint64_t(1) << -shift;
    }
    return true;
}

UInt128 uniformBelow(RandomSource& source, UInt128 n) {
    if (n == 0) throw std::invalid_argument("uniformBelow needs n >= 1");
    if (n == 1) return 0;
    const int bits = bitLength(n - 1);
    for (;;) {
        const UInt128 candidate = randomBits(source, bits);
        if (candidate < n) return candidate;
    }
}

bool bernoulliRational(RandomSource& source, UInt128 numerator, UInt128 denominator) {
    return uniformBelow(source, denominator) < numerator;
}

bool bernoulliExpMinus(RandomSource& source, std::uint64_t numerator, std::uint64_t denominator) {
    // exp(-g) = exp(-1)^floor(g) * exp(-(g - floor(g))), each factor an independent trial.
    for (std::uint64_t whole = numerator / denominator; whole > 0; --whole)
        if (!bernoulliExpMinusAtMostOne(source, 1, 1)) return false;
    return bernoulliExpMinusAtMostOne(source, numerator % denominator, denominator);
}

std::int64_t sampleDiscreteLaplace(RandomSource& source, double scale) {
    // scale = t / s with integers t, s (CKS Algorithm 2 samples DLap(t/s)).
    std::uint64_t t = 0, s = 0;
    if (scale >= std::ldexp(1.0, 62) || !asExactFraction(scale, t, s))
        throw std::invalid_argument("discrete Laplace scale must be positive, finite, below 2^62 and above 2^-63");
    for (;;) {
        const std::uint64_t u = static_cast<std::uint64_t>(uniformBelow(source, t));
        if (!bernoulliExpMinus(source, u, t)) continue;
        std::uint64_t v = 0;
        while (bernoulliExpMinus(source, 1, 1)) ++v;
        const UInt128 x = UInt128(u) + UInt128(t) * v;
        const UInt128 y = x / s;
        const bool negative = bernoulliRational(source, 1, 2);
        if (negative && y == 0) continue;
        if (y > UInt128(INT64_MAX)) continue;  // probability below exp(-2^62 / scale): never in practice
        return negative ? -static_cast<std::int64_t>(y) : static_cast<std::int64_t>(y);
    }
}

}  // namespace dpflow
