#include "privacy/random_source.h"

#include <sys/random.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace dpflow {

std::uint64_t RandomSource::nextUint64() {
    std::uint8_t bytes[8];
    fill(bytes, sizeof bytes);
    std::uint64_t value = 0;
    for (std::uint8_t byte : bytes) value = (value << 8) | byte;
    return value;
}

double standardNormal(RandomSource& source) {
    // u1 in (0, 1], so log(u1) is finite; u2 in [0, 1).
    const double u1 = (static_cast<double>(source.nextUint64() >> 11) + 1.0) * 0x1.0p-53;
    const double u2 = static_cast<double>(source.nextUint64() >> 11) * 0x1.0p-53;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

void SystemRandomSource::fill(std::uint8_t* bytes, std::size_t size) {
    while (size > 0) {
        if (available_ == 0) {
            std::size_t filled = 0;
            while (filled < buffer_.size()) {
                const ssize_t got = getrandom(buffer_.data() + filled, buffer_.size() - filled, 0);
                if (got < 0) {
                    if (errno == EINTR) continue;
                    throw std::runtime_error(std::string("the operating system's random source failed: ") +
                                             std::strerror(errno));
                }
                filled += static_cast<std::size_t>(got);
            }
            available_ = buffer_.size();
        }
        const std::size_t take = std::min(size, available_);
        const std::size_t start = buffer_.size() - available_;
        std::memcpy(bytes, buffer_.data() + start, take);
        // Bytes handed out are erased so they cannot be read back from this object later.
        std::memset(buffer_.data() + start, 0, take);
        available_ -= take;
        bytes += take;
        size -= take;
    }
}

void SeededTestRandomSource::fill(std::uint8_t* bytes, std::size_t size) {
    for (std::size_t i = 0; i < size; i += 8) {
        state_ += 0x9E3779B97F4A7C15ull;
        std::uint64_t z = state_;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        for (std::size_t k = 0; k < 8 && i + k < size; ++k) bytes[i + k] = static_cast<std::uint8_t>(z >> (8 * k));
    }
}

}  // namespace dpflow
