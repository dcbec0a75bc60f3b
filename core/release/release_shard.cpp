#include "release/release_shard.h"

#include "image/sha256.h"

#include <fmt/format.h>

#include <cstdint>
#include <stdexcept>

namespace dpflow {

std::string ReleaseShard::text() const {
    return fmt::format("{}/{}", index, count);
}

ReleaseShard parseReleaseShard(const std::string& text) {
    const auto slash = text.find('/');
    ReleaseShard shard;
    try {
        if (slash == std::string::npos) throw std::invalid_argument("no '/'");
        std::size_t used_i = 0, used_n = 0;
        shard.index = std::stoi(text.substr(0, slash), &used_i);
        shard.count = std::stoi(text.substr(slash + 1), &used_n);
        if (used_i != slash || used_n != text.size() - slash - 1) throw std::invalid_argument("trailing characters");
    } catch (const std::exception&) {
        throw std::invalid_argument("shard '" + text + "' is not of the form i/N (e.g. 0/4)");
    }
    if (shard.count < 1 || shard.index < 0 || shard.index >= shard.count)
        throw std::invalid_argument("shard '" + text + "' needs N >= 1 and 0 <= i < N");
    return shard;
}

int shardOfSource(const std::string& ledger_key, int count) {
    if (count < 1) throw std::invalid_argument("the number of shards must be at least 1");
    const std::string digest = sha256Hex(ledger_key.data(), ledger_key.size());
    const std::uint64_t prefix = std::stoull(digest.substr(0, 16), nullptr, 16);
    return static_cast<int>(prefix % static_cast<std::uint64_t>(count));
}

}  // namespace dpflow
