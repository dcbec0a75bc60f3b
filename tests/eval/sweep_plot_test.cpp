#include "render/sweep_plot.h"
#include "sweep_test_support.h"

#include <gtest/gtest.h>

#include <fstream>

namespace dpflow {
namespace {

std::string firstBytes(const std::filesystem::path& path, std::size_t count) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes(count, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(count));
    bytes.resize(static_cast<std::size_t>(in.gcount()));
    return bytes;
}

TEST(SweepPlot, PathsLieBesideTheResultsWithTheSameStem) {
    const SweepPlotFiles files = sweepPlotPaths("out/phantoms.csv");
    EXPECT_EQ(files.png, std::filesystem::path("out/phantoms.png"));
    EXPECT_EQ(files.pdf, std::filesystem::path("out/phantoms.pdf"));
}

TEST(SweepPlot, WritesANonEmptyPngAndPdf) {
    test::TemporaryFolder folder("dpflow-sweep-plot");
    const SweepPlotFiles files = sweepPlotPaths(folder.path() / "results.csv");
    writeSweepPlot(test::exampleResults(), files);
    EXPECT_GT(std::filesystem::file_size(files.png), 10000u);  // two panels of lines and text, not a blank
    EXPECT_EQ(firstBytes(files.png, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_GT(std::filesystem::file_size(files.pdf), 1000u);
    EXPECT_EQ(firstBytes(files.pdf, 5), "%PDF-");
}

TEST(SweepPlot, ResultsWithoutRowsAreRefused) {
    test::TemporaryFolder folder("dpflow-sweep-plot-empty");
    SweepResults empty;
    EXPECT_THROW(writeSweepPlot(empty, sweepPlotPaths(folder.path() / "r.csv")), std::invalid_argument);
}

}  // namespace
}  // namespace dpflow
