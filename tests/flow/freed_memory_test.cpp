#include "flow/freed_memory.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace dpflow {
namespace {

// The process's resident set in kB, from /proc/self/status.
long residentKilobytes() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

TEST(FreedMemory, PagesFreedBelowALiveAllocationGoBackToTheSystem) {
    // 160 MB in 4 kB blocks (served from the heap, not mmap), written so that they are resident,
    // then freed below one block that stays allocated: the allocator keeps those pages (nothing
    // is at the top of the heap to trim) until it is asked to hand them back.
    constexpr std::size_t kBlocks = 40000, kBlockSize = 4096;
    std::vector<char*> blocks;
    for (std::size_t i = 0; i < kBlocks; ++i) {
        blocks.push_back(static_cast<char*>(std::malloc(kBlockSize)));
        ASSERT_NE(blocks.back(), nullptr);
        std::memset(blocks.back(), static_cast<int>(i & 0x7f) + 1, kBlockSize);
    }
    char* fence = static_cast<char*>(std::malloc(kBlockSize));
    std::memset(fence, 1, kBlockSize);
    for (char* block : blocks) std::free(block);
    const long before = residentKilobytes();
    ASSERT_GT(before, 0);

    EXPECT_TRUE(returnFreedMemoryToSystem());
    const long after = residentKilobytes();
    EXPECT_LT(after, before - 100 * 1024) << "resident " << before << " kB before, " << after << " kB after";
    std::free(fence);
}

}  // namespace
}  // namespace dpflow
