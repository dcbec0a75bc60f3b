#include "privacy/sampler_benchmark.h"

#include "privacy/grid_laplace_sampler.h"

#include <chrono>
#include <stdexcept>

namespace dpflow {

SamplerThroughput measureSamplerThroughput(RandomSource& source, const LaplaceNoisePlan& plan, int rounds) {
    if (rounds < 1) throw std::invalid_argument("the benchmark needs at least one round");
    GridLaplaceSampler sampler(source, plan);
    double checksum = 0.0;
    const auto start = std::chrono::steady_clock::now();
    for (int round = 0; round < rounds; ++round)
        for (std::size_t j = 0; j < plan.dimension; ++j) checksum += sampler.sampleNoise();
    const auto stop = std::chrono::steady_clock::now();
    volatile double sink = checksum;  // keeps the draws from being optimised away
    (void)sink;
    SamplerThroughput result;
    result.values = static_cast<std::size_t>(rounds) * plan.dimension;
    result.seconds = std::chrono::duration<double>(stop - start).count();
    result.values_per_second = result.seconds > 0.0 ? result.values / result.seconds : 0.0;
    return result;
}

}  // namespace dpflow
