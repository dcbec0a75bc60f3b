#include "image/sha256.h"

#include <gtest/gtest.h>

#include <fstream>
#include <unistd.h>

namespace dpflow {
namespace {

// Test vectors from FIPS 180-2, appendix B.
TEST(Sha256, MatchesTheFipsVectorForAbc) {
    EXPECT_EQ(sha256Hex("abc", 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, MatchesTheVectorForTheEmptyMessage) {
    EXPECT_EQ(sha256Hex("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, HashesAFileLikeItsBytes) {
    const auto path = std::filesystem::temp_directory_path() / ("dpflow_sha256_test_" + std::to_string(::getpid()) + ".bin");
    const std::string content(200000, 'x');
    std::ofstream(path, std::ios::binary) << content;
    EXPECT_EQ(sha256OfFile(path), sha256Hex(content.data(), content.size()));
}

TEST(Sha256, NamesAFileItCannotRead) {
    try {
        sha256OfFile("/nonexistent/dpflow.bin");
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/dpflow.bin"), std::string::npos);
    }
}

}  // namespace
}  // namespace dpflow
