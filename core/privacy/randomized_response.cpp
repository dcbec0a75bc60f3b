#include "privacy/randomized_response.h"

#include "privacy/exact_sampling.h"

#include <cmath>
#include <stdexcept>

namespace dpflow {

int randomizedResponse(int true_value, int category_count, double epsilon, RandomSource& source) {
    if (category_count < 2) throw std::invalid_argument("randomized response needs at least two categories");
    if (true_value < 0 || true_value >= category_count)
        throw std::invalid_argument("the true value is not one of the attribute's categories");
    if (!(epsilon >= 0.0) || !std::isfinite(epsilon)) throw std::invalid_argument("epsilon must be finite and non-negative");
    std::uint64_t numerator = 0, denominator = 1;
    if (epsilon > 0.0 && !asExactFraction(epsilon, numerator, denominator))
        throw std::invalid_argument("epsilon " + std::to_string(epsilon) + " cannot be used exactly; use 0 (prior) or a value in [2^-63, 2^63)");
    for (;;) {
        const int candidate = static_cast<int>(uniformBelow(source, static_cast<UInt128>(category_count)));
        if (candidate == true_value || bernoulliExpMinus(source, numerator, denominator)) return candidate;
    }
}

double randomizedResponseKeepProbability(int category_count, double epsilon) {
    return 1.0 / (1.0 + (category_count - 1) * std::exp(-epsilon));
}

int drawFromPrior(const std::vector<double>& prior, RandomSource& source) {
    double total = 0.0;
    for (double weight : prior) {
        if (!(weight >= 0.0) || !std::isfinite(weight)) throw std::invalid_argument("prior weights must be finite and non-negative");
        total += weight;
    }
    if (!(total > 0.0)) throw std::invalid_argument("the prior needs at least one positive weight");
    // A 53-bit uniform point in [0, total): the prior does not depend on the image, so its
    // resolution affects only how closely the draw follows the prior, never the privacy.
    const double point = std::ldexp(static_cast<double>(uniformBelow(source, UInt128(1) << 53)), -53) * total;
    double cumulative = 0.0;
    for (std::size_t i = 0; i < prior.size(); ++i) {
        cumulative += prior[i];
        if (point < cumulative) return static_cast<int>(i);
    }
    for (std::size_t i = prior.size(); i-- > 0;)
        if (prior[i] > 0.0) return static_cast<int>(i);
    return 0;
}

}  // namespace dpflow
