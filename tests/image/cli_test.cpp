#include "../support/command_runner.h"
#include "dicom_test_support.h"

#include "image/png_io.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace dpflow {
namespace {

// The CLI's exit status and what it printed, split into lines.
struct CommandResult {
    int exit_status = -1;
    std::vector<std::string> lines;
};

CommandResult runDpflow(const std::string& arguments) {
    const test::CommandRun run = test::runDpflow(arguments);
    CommandResult result;
    result.exit_status = run.status;
    std::istringstream lines(run.output);
    for (std::string line; std::getline(lines, line);) result.lines.push_back(line);
    return result;
}

TEST(DpflowCli, InfoReportsOneLinePerFileAndFailsIfAnyFileFails) {
    const auto folder = test::freshTempFolder("cli_info");
    auto dicom = test::makeDicom(test::patternFrame(40, 30, 12, false), "MONOCHROME1");
    test::saveWithDcmtk(*dicom, folder / "chest.dcm", EXS_RLELossless);
    writePng(makeImage(7, 5, 0.25f), folder / "photo.png", 16);
    std::ofstream(folder / "empty.dcm");
    std::ifstream in(folder / "chest.dcm", std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(folder / "cut.dcm", std::ios::binary) << bytes.substr(0, 600);
    std::ofstream(folder / "notes.txt") << "hello";

    const CommandResult result = runDpflow("info " + folder.string());
    EXPECT_EQ(result.exit_status, 1);
    ASSERT_EQ(result.lines.size(), 5u);
    EXPECT_EQ(result.lines[0], (folder / "chest.dcm").string() +
                                   ": 40x30, 12-bit, MONOCHROME1, RLE Lossless, window 2047/4094 "
                                   "(min-max of the frame (no window in the file))");
    EXPECT_EQ(result.lines[1].rfind((folder / "cut.dcm").string() + ": error: truncated or malformed DICOM file", 0),
              0u)
        << result.lines[1];
    EXPECT_EQ(result.lines[2], (folder / "empty.dcm").string() + ": skipped: empty file");
    EXPECT_EQ(result.lines[3], (folder / "notes.txt").string() +
                                   ": skipped: not an image file (neither a PNG signature nor a DICOM preamble or header)");
    EXPECT_EQ(result.lines[4], (folder / "photo.png").string() +
                                   ": 7x5, 16-bit, MONOCHROME2, PNG, window 32768/65536 (full range of the 16-bit PNG)");
}

TEST(DpflowCli, InfoSucceedsWhenEveryFileIsReadable) {
    const auto folder = test::freshTempFolder("cli_info_ok");
    writePng(makeImage(2, 2), folder / "a.png", 8);
    const CommandResult result = runDpflow("info " + (folder / "a.png").string());
    EXPECT_EQ(result.exit_status, 0);
    EXPECT_EQ(result.lines.size(), 1u);
}

TEST(DpflowCli, InfoWithANonexistentPathIsAPerFileError) {
    const CommandResult result = runDpflow("info /nonexistent/dpflow.dcm");
    EXPECT_EQ(result.exit_status, 1);
    ASSERT_EQ(result.lines.size(), 1u);
    EXPECT_EQ(result.lines[0], "/nonexistent/dpflow.dcm: error: no such file");
}

TEST(DpflowCli, InfoWithoutPathsIsAUsageError) {
    EXPECT_EQ(runDpflow("info").exit_status, 2);
}

TEST(DpflowCli, ConvertAppliesTheUserWindowAndBitDepth) {
    const auto folder = test::freshTempFolder("cli_convert");
    auto dicom = test::makeDicom(StoredFrame{3, 1, 12, false, {1000, 1100, 1200}});
    test::saveWithDcmtk(*dicom, folder / "in.dcm", EXS_LittleEndianExplicit);
    const CommandResult result =
        runDpflow("convert " + (folder / "in.dcm").string() + " " + (folder / "out.png").string() +
                  " --window 1100,201 --bits 16");
    ASSERT_EQ(result.exit_status, 0) << (result.lines.empty() ? "" : result.lines[0]);
    const Image png = readPng(folder / "out.png");
    EXPECT_EQ(png.stored_bits, 16);
    // LINEAR 1100/201 spans (999.5, 1199.5]: y = (x - 1099.5)/200 + 0.5, so 1000 -> 0.0025,
    // 1100 -> 0.5025, 1200 -> 1.
    EXPECT_NEAR(png.at(0, 0), 0.0025, 1.0 / 65535);
    EXPECT_NEAR(png.at(1, 0), 0.5025, 1.0 / 65535);
    EXPECT_FLOAT_EQ(png.at(2, 0), 1.0f);
}

TEST(DpflowCli, ConvertOfAnUnreadableFileFailsWithItsReason) {
    const auto folder = test::freshTempFolder("cli_convert_bad");
    std::ofstream(folder / "bad.dcm") << "garbage";
    const CommandResult result =
        runDpflow("convert " + (folder / "bad.dcm").string() + " " + (folder / "out.png").string());
    EXPECT_EQ(result.exit_status, 1);
    ASSERT_FALSE(result.lines.empty());
    EXPECT_NE(result.lines[0].find("not an image file"), std::string::npos) << result.lines[0];
    EXPECT_FALSE(std::filesystem::exists(folder / "out.png"));
}

TEST(DpflowCli, ConvertRejectsABitDepthOtherThanEightOrSixteen) {
    EXPECT_EQ(runDpflow("convert a.dcm b.png --bits 12").exit_status, 2);
}

}  // namespace
}  // namespace dpflow
