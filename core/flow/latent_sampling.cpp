#include "flow/latent_sampling.h"

#include <cmath>
#include <random>
#include <stdexcept>

namespace dpflow {

std::vector<float> sampleStandardLatent(std::int64_t dimension, double temperature, std::uint64_t seed) {
    if (dimension < 0) throw std::invalid_argument("latent dimension must not be negative");
    if (!std::isfinite(temperature) || temperature < 0.0) {
        throw std::invalid_argument("sampling temperature must be a finite number >= 0");
    }
    std::mt19937_64 generator(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::vector<float> u(static_cast<size_t>(dimension));
    for (auto& value : u) value = static_cast<float>(temperature * normal(generator));
    return u;
}

}  // namespace dpflow
