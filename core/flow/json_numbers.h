#pragma once

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace dpflow {

/// The integer at `key` of `object`, within [lo, hi]. nlohmann's get<int>() converts whatever
/// number is there: 8.9e88 is undefined behaviour and 2^40 wraps, so a damaged or hostile card
/// could set a field to anything. Throws nlohmann's out_of_range when the key is missing and
/// std::invalid_argument, naming the key, for a value that is not an integer in range (an
/// integral float such as 2428.0 is accepted).
template <class Int>
Int integerAt(const nlohmann::json& object, const char* key, Int lo = std::numeric_limits<Int>::min(),
              Int hi = std::numeric_limits<Int>::max()) {
    const nlohmann::json& value = object.at(key);
    const auto refuse = [&] {
        return std::invalid_argument("'" + std::string(key) + "' must be an integer from " + std::to_string(lo) + " to " +
                                     std::to_string(hi) + ", not " + value.dump());
    };
    if (value.is_number_unsigned()) {
        const std::uint64_t v = value.get<std::uint64_t>();
        if (v > static_cast<std::uint64_t>(hi) || (lo > 0 && v < static_cast<std::uint64_t>(lo))) throw refuse();
        return static_cast<Int>(v);
    }
    if (value.is_number_integer()) {
        const std::int64_t v = value.get<std::int64_t>();
        if (v < static_cast<std::int64_t>(lo) || (v > 0 && static_cast<std::uint64_t>(v) > static_cast<std::uint64_t>(hi))) throw refuse();
        return static_cast<Int>(v);
    }
    if (value.is_number_float()) {
        const double v = value.get<double>();
        if (!std::isfinite(v) || v != std::floor(v) || v < static_cast<double>(lo) || v > static_cast<double>(hi)) throw refuse();
        return static_cast<Int>(v);
    }
    throw refuse();
}

}  // namespace dpflow
