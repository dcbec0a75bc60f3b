#include "privacy/laplace_noise_plan.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace dpflow {

double powerOfTwoAtLeast(double value) {
    int exponent = 0;
    const double mantissa = std::frexp(value, &exponent);  // value = mantissa * 2^exponent
    return mantissa == 0.5 ? std::ldexp(1.0, exponent - 1) : std::ldexp(1.0, exponent);
}

LaplaceNoisePlan planLaplaceNoise(double l1_sensitivity, std::size_t dimension, double epsilon) {
    if (!(l1_sensitivity > 0.0) || !std::isfinite(l1_sensitivity))
        throw std::invalid_argument("the L1 sensitivity must be positive and finite");
    if (!(epsilon > 0.0) || !std::isfinite(epsilon))
        throw std::invalid_argument("epsilon must be positive and finite");
    if (dimension == 0) throw std::invalid_argument("a release needs at least one element");

    LaplaceNoisePlan plan;
    plan.l1_sensitivity = l1_sensitivity;
    plan.dimension = dimension;
    plan.epsilon = epsilon;
    plan.granularity = powerOfTwoAtLeast(std::ldexp(l1_sensitivity / epsilon, -40));
    plan.accounted_sensitivity = l1_sensitivity + static_cast<double>(dimension) * plan.granularity;
    // The sum and the quotient each round to nearest (at most half an ulp apiece); two steps up
    // make the scale at least the exact Delta_r / eps, so rounding never weakens the noise.
    const double inf = std::numeric_limits<double>::infinity();
    plan.accounted_sensitivity = std::nextafter(plan.accounted_sensitivity, inf);
    plan.scale = std::nextafter(plan.accounted_sensitivity / epsilon, inf);
    return plan;
}

}  // namespace dpflow
