#include "flow/decode_benchmark.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <stdexcept>

namespace dpflow {

DecodeTiming measureDecodeLatency(const FlowModel& model, int runs) {
    if (runs < 1) throw std::invalid_argument("the decode benchmark needs at least one run");
    AttributeValues attributes;
    for (const auto& attribute : model.card().config.attributes) attributes[attribute.name] = attribute.values.front();
    std::mt19937 rng(12345);  // benchmark input only, never a release path
    std::normal_distribution<float> normal;
    std::vector<float> u(static_cast<size_t>(model.layout().total));
    for (auto& v : u) v = normal(rng);
    for (int i = 0; i < 3; ++i) model.decode(u, attributes);
    std::vector<double> times;
    for (int i = 0; i < runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        model.decode(u, attributes);
        times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    const size_t n = times.size();
    const double median = n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
    return {runs, median, times.front(), times.back()};
}

}  // namespace dpflow
