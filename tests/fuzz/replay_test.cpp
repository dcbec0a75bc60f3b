// Every input of the seed corpus and every finding, through the fuzz targets' entry points, as
// ordinary tests of the GCC build (no libFuzzer needed): a reader that crashes, trips a
// sanitizer in the fuzz build, or throws anything but its documented error on one of them is a
// regression. tests/fuzz/findings/<target>/ holds each finding's minimized input.

#include "fuzz_targets.h"

#include "image/image_error.h"
#include "image/image_reader.h"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace dpflow::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> bytesOf(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The inputs of one target, seed corpus and findings, in a fixed order.
std::vector<fs::path> inputsOf(const std::string& target) {
    std::vector<fs::path> inputs;
    for (const char* kind : {"corpus", "findings"}) {
        const fs::path folder = fs::path(DPFLOW_SOURCE_DIR) / "tests" / "fuzz" / kind / target;
        if (!fs::is_directory(folder)) continue;
        for (const auto& entry : fs::directory_iterator(folder))
            if (entry.is_regular_file() && entry.path().filename() != "README.md") inputs.push_back(entry.path());
    }
    std::sort(inputs.begin(), inputs.end());
    return inputs;
}

class FuzzReplay : public ::testing::TestWithParam<FuzzTarget> {};

TEST_P(FuzzReplay, EveryCorpusInputAndFindingIsReadOrRefusedWithTheReadersOwnError) {
    const FuzzTarget target = GetParam();
    const std::vector<fs::path> inputs = inputsOf(target.name);
    ASSERT_FALSE(inputs.empty()) << "no seed corpus for " << target.name << " (tests/fuzz/make-seed-corpus.sh)";
    for (const fs::path& input : inputs) {
        SCOPED_TRACE(input.string());
        const std::vector<std::uint8_t> bytes = bytesOf(input);
        EXPECT_NO_THROW(target.run(bytes.data(), bytes.size()));
    }
}

INSTANTIATE_TEST_SUITE_P(EveryTarget, FuzzReplay, ::testing::ValuesIn(kFuzzTargets),
                         [](const ::testing::TestParamInfo<FuzzTarget>& info) { return std::string(info.param.name); });

// What reading an image file gives: "read WxH" or the reason it was refused.
std::string outcomeOfReading(const std::vector<std::uint8_t>& bytes) {
    try {
        const Image image = readImageBytes(bytes, "finding");
        return "read " + std::to_string(image.width) + "x" + std::to_string(image.height);
    } catch (const ImageError& error) {
        return error.reason();
    } catch (const std::bad_alloc&) {
        return "std::bad_alloc";
    }
}

// The process's virtual size now (VmSize of /proc/self/status), in bytes.
std::uint64_t virtualSize() {
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmSize:", 0) == 0) return std::stoull(line.substr(7)) * 1024;
    return 0;
}

// outcomeOfReading in a child process whose address space may grow by `headroom` bytes at most.
std::string outcomeWithAddressSpaceHeadroom(const std::vector<std::uint8_t>& bytes, std::uint64_t headroom) {
    int channel[2];
    if (::pipe(channel) != 0) return "pipe failed";
    const pid_t child = ::fork();
    if (child == 0) {
        ::close(channel[0]);
        const rlimit limit{virtualSize() + headroom, RLIM_INFINITY};
        ::setrlimit(RLIMIT_AS, &limit);
        const std::string outcome = outcomeOfReading(bytes);
        const ssize_t written = ::write(channel[1], outcome.data(), outcome.size());
        ::_exit(written == static_cast<ssize_t>(outcome.size()) ? 0 : 1);
    }
    ::close(channel[1]);
    std::string outcome;
    char buffer[512];
    for (ssize_t n; (n = ::read(channel[0], buffer, sizeof(buffer))) > 0;) outcome.append(buffer, static_cast<std::size_t>(n));
    ::close(channel[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    return outcome;
}

TEST(FuzzCorpus, EverySeedImageIsValidAndRead) {
    // The seed images are made by the project's tools: a reader that refuses one of them (a
    // length check too strict for a transfer syntax, say) has broken a valid file.
    const fs::path folder = fs::path(DPFLOW_SOURCE_DIR) / "tests" / "fuzz" / "corpus" / "image";
    for (const auto& entry : fs::directory_iterator(folder)) {
        SCOPED_TRACE(entry.path().string());
        EXPECT_EQ(outcomeOfReading(bytesOf(entry.path())).rfind("read ", 0), 0u) << outcomeOfReading(bytesOf(entry.path()));
    }
}

TEST(FuzzFindings, EveryImageFindingGetsTheSameAnswerWithOnly400MegabytesToSpare) {
    // Each image finding is a small file that once made a reader allocate gigabytes (a PNG text
    // chunk, a PNG row buffer, DICOM Pixel Data, the buffers of a 16384 px image). Now each is
    // refused before anything of that size is allocated, so taking the memory away changes
    // nothing: a reader that still asks for it fails differently ("out of memory", "Memory
    // exhausted", std::bad_alloc), even where a C library fails gracefully.
    const fs::path folder = fs::path(DPFLOW_SOURCE_DIR) / "tests" / "fuzz" / "findings" / "image";
    std::size_t checked = 0;
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (!entry.is_regular_file() || entry.path().filename() == "README.md") continue;
        SCOPED_TRACE(entry.path().string());
        const std::vector<std::uint8_t> bytes = bytesOf(entry.path());
        EXPECT_EQ(outcomeWithAddressSpaceHeadroom(bytes, 400ull << 20), outcomeOfReading(bytes));
        ++checked;
    }
    EXPECT_GE(checked, 8u);
}

}  // namespace
}  // namespace dpflow::fuzz
