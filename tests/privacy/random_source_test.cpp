#include "privacy/random_source.h"

#include <gtest/gtest.h>

#include <array>
#include <set>

namespace dpflow {
namespace {

TEST(SystemRandomSource, IsPrivateAndNamedAfterTheKernelSource) {
    SystemRandomSource source;
    EXPECT_TRUE(source.isPrivate());
    EXPECT_EQ(source.name(), "getrandom");
}

TEST(SystemRandomSource, SuccessiveDrawsDiffer) {
    SystemRandomSource source;
    std::set<std::uint64_t> values;
    for (int i = 0; i < 1000; ++i) values.insert(source.nextUint64());
    EXPECT_EQ(values.size(), 1000u);  // a repeat among 1000 64-bit draws has probability ~3e-14
}

TEST(SystemRandomSource, FillsRequestsLargerThanItsBuffer) {
    SystemRandomSource source;
    std::vector<std::uint8_t> bytes(10000, 0);
    source.fill(bytes.data(), bytes.size());
    std::array<int, 256> counts{};
    for (std::uint8_t b : bytes) ++counts[b];
    for (int c : counts) EXPECT_GT(c, 5);  // expected 39 per value; below 6 has probability < 1e-9 per value
}

TEST(SeededTestRandomSource, IsStampedNotPrivate) {
    SeededTestRandomSource source(1);
    EXPECT_FALSE(source.isPrivate());
    EXPECT_NE(source.name().find("NOT PRIVATE"), std::string::npos);
}

TEST(SeededTestRandomSource, RepeatsForTheSameSeedAndDiffersAcrossSeeds) {
    SeededTestRandomSource a(42), b(42), c(43);
    for (int i = 0; i < 10; ++i) {
        const auto va = a.nextUint64();
        EXPECT_EQ(va, b.nextUint64());
        EXPECT_NE(va, c.nextUint64());
    }
}

}  // namespace
}  // namespace dpflow
