#include "release/release_shard.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

namespace dpflow {
namespace {

TEST(ReleaseShard, ParsesIndexAndCount) {
    const ReleaseShard shard = parseReleaseShard("2/5");
    EXPECT_EQ(shard.index, 2);
    EXPECT_EQ(shard.count, 5);
    EXPECT_EQ(shard.text(), "2/5");
}

TEST(ReleaseShard, RejectsIndexOutsideCountAndMalformedText) {
    EXPECT_THROW(parseReleaseShard("5/5"), std::invalid_argument);
    EXPECT_THROW(parseReleaseShard("-1/3"), std::invalid_argument);
    EXPECT_THROW(parseReleaseShard("1/0"), std::invalid_argument);
    EXPECT_THROW(parseReleaseShard("1-3"), std::invalid_argument);
    EXPECT_THROW(parseReleaseShard("1/3x"), std::invalid_argument);
}

TEST(ReleaseShard, SourceShardIsAFixedFunctionOfTheKey) {
    // Pinned: SHA-256("sha256:abc") starts with these bytes on every machine, so shards agree.
    EXPECT_EQ(shardOfSource("sha256:abc", 1), 0);
    EXPECT_EQ(shardOfSource("sha256:abc", 7), shardOfSource("sha256:abc", 7));
    const int shard = shardOfSource("sop:1.2.3.4", 4);
    EXPECT_GE(shard, 0);
    EXPECT_LT(shard, 4);
}

TEST(ReleaseShard, SpreadsSourcesOverAllShards) {
    std::map<int, int> counts;
    for (int i = 0; i < 400; ++i) ++counts[shardOfSource("sha256:" + std::to_string(i), 4)];
    ASSERT_EQ(counts.size(), 4u);
    for (const auto& [shard, count] : counts) {
        EXPECT_GT(count, 60) << "shard " << shard;
        EXPECT_LT(count, 140) << "shard " << shard;
    }
}

}  // namespace
}  // namespace dpflow
