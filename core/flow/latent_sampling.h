#pragma once

#include <cstdint>
#include <vector>

namespace dpflow {

/// A latent drawn from the flow's prior at temperature T: u ~ N(0, T^2 I) in the standardised
/// latent (every element independent), so decode(u, c) is a sample of the model under c; T < 1
/// trades diversity for typical-looking images, as in the GLOW paper. Reproducible from `seed`
/// (a seeded PRNG): this makes synthetic images for looking at a model, never a privatized
/// release, and must not be used as privacy noise. Throws std::invalid_argument for a
/// negative dimension or a temperature that is negative or not finite.
std::vector<float> sampleStandardLatent(std::int64_t dimension, double temperature, std::uint64_t seed);

}  // namespace dpflow
