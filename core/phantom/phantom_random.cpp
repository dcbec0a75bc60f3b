#include "phantom/phantom_random.h"

#include <cmath>
#include <initializer_list>

namespace dpflow {
namespace {

std::uint64_t splitMix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// Mixes the entity coordinates into one seed; every input passes through SplitMix64 so that
// neighbouring patients or images get unrelated streams.
std::uint64_t combineSeed(std::uint64_t seed, std::uint64_t stream, std::int64_t patient,
                          std::int64_t image) {
    std::uint64_t h = seed;
    for (std::uint64_t part : {stream, static_cast<std::uint64_t>(patient),
                               static_cast<std::uint64_t>(image)}) {
        std::uint64_t x = h ^ (part * 0xd6e8feb86659fd93ULL);
        h = splitMix64(x);
    }
    return h;
}

}  // namespace

PhantomRandom::PhantomRandom(std::uint64_t seed) {
    for (auto& word : state_) word = splitMix64(seed);
}

PhantomRandom::PhantomRandom(std::uint64_t study_seed, PhantomStream stream, int patient, int image)
    : PhantomRandom(combineSeed(study_seed, static_cast<std::uint64_t>(stream), patient, image)) {}

std::uint64_t PhantomRandom::next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
}

double PhantomRandom::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double PhantomRandom::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

double PhantomRandom::normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]: log stays finite
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

bool PhantomRandom::chance(double p) { return uniform() < p; }

int PhantomRandom::integer(int lo, int hi) {
    const auto span = static_cast<std::uint64_t>(static_cast<std::int64_t>(hi) - lo + 1);
    return lo + static_cast<int>(next() % span);
}

}  // namespace dpflow
