// What `dpflow bench` measures: every figure over the runs it names, on the film it is given, and
// the busy process of --under-load really running for the benchmark and gone after it.

#include "preview/busy_core.h"
#include "preview/preview_benchmark.h"
#include "preview_test_support.h"
#include "privacy/random_source.h"

#include <gtest/gtest.h>

#include <signal.h>

#include <cerrno>
#include <fstream>
#include <sstream>

namespace dpflow::test {
namespace {

TEST(PreviewBenchmark, TimesEveryStageOfAGivenFilm) {
    SystemRandomSource source;
    const PreviewBenchmark bench = benchmarkPreview(pneumoniaFlow(), 4, 1, source, chestImage());
    EXPECT_EQ(bench.encode.runs, 5);
    EXPECT_EQ(bench.first_preview.runs, 5);
    EXPECT_EQ(bench.noise_decode.runs, 4);
    EXPECT_EQ(bench.slider_to_pixels.runs, 4);
    EXPECT_GT(bench.noise_decode.median_ms, 0.0);
    EXPECT_GT(bench.first_preview.median_ms, 0.0);
    EXPECT_EQ(bench.mechanism, PrivacyMechanism::DpGlow);  // the model is calibrated
}

TEST(PreviewBenchmark, RefusesZeroRuns) {
    SystemRandomSource source;
    EXPECT_THROW(benchmarkPreview(pneumoniaFlow(), 0, 1, source), std::invalid_argument);
}

/// The state letter of process `pid` from /proc (R running, S sleeping, Z zombie, ...), or
/// empty when there is no such process.
std::string processState(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return "";
    return line.substr(line.rfind(')') + 2, 1);
}

TEST(BusyCore, SpinsWhileItLivesAndIsReapedAfter) {
    pid_t child = -1;
    {
        const BusyCore busy;
        child = busy.pid();
        ASSERT_GT(child, 0);
        EXPECT_EQ(processState(child), "R");  // spinning, never sleeping
    }
    EXPECT_EQ(kill(child, 0), -1);  // killed and reaped: not even a zombie is left
    EXPECT_EQ(errno, ESRCH);
}

}  // namespace
}  // namespace dpflow::test
