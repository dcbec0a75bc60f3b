#include "image/manifest.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace dpflow {
namespace {

std::filesystem::path writeTempFile(const std::string& name, const std::string& text) {
    auto path = std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + "_" + name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

TEST(Manifest, ResolvesRelativeFilesAgainstItsFolder) {
    auto csv = writeTempFile("dpflow_manifest_rel.csv", "file,split,label\npng/a.png,train,1\n/abs/b.png,test,0\n");
    Manifest manifest = Manifest::read(csv);
    ASSERT_EQ(manifest.size(), 2u);
    EXPECT_EQ(manifest.file(0), csv.parent_path() / "png/a.png");
    EXPECT_EQ(manifest.file(1), std::filesystem::path("/abs/b.png"));
    EXPECT_EQ(manifest.value(1, "label"), "0");
}

TEST(Manifest, SelectsRowsBySplit) {
    auto csv = writeTempFile("dpflow_manifest_split.csv", "file,split\na,train\nb,test\nc,train\n");
    Manifest manifest = Manifest::read(csv);
    EXPECT_EQ(manifest.rowsInSplit("train"), (std::vector<std::size_t>{0, 2}));
    EXPECT_EQ(manifest.rowsInSplit("").size(), 3u);
}

TEST(Manifest, QuotedFieldsSurviveAWriteReadRoundTrip) {
    Manifest manifest({"file", "note"}, std::filesystem::temp_directory_path());
    manifest.addRow({"x.png", "Doe, \"John\"\nline two"});
    auto csv = std::filesystem::temp_directory_path() / ("dpflow_manifest_quotes_" + std::to_string(::getpid()) + ".csv");
    manifest.write(csv);
    Manifest back = Manifest::read(csv);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back.value(0, "note"), "Doe, \"John\"\nline two");
}

TEST(Manifest, RejectsARowWithTheWrongFieldCountNamingItsLine) {
    auto csv = writeTempFile("dpflow_manifest_bad.csv", "file,split\na,train\nb\n");
    try {
        Manifest::read(csv);
        FAIL() << "expected ManifestError";
    } catch (const ManifestError& e) {
        EXPECT_NE(std::string(e.what()).find(":3:"), std::string::npos) << e.what();
    }
}

TEST(Manifest, AStrayQuoteInALargeManifestIsRefusedNamingTheLineWhereItOpened) {
    // 20,000 rows; the quote on line 5 is never closed, so the rest of the file would be one field.
    std::string text = "file,split,label\n";
    for (int row = 0; row < 20000; ++row)
        text += (row == 3 ? "\"" : "") + std::string("images/film_") + std::to_string(row) + ".png,train,0\n";
    std::istringstream in(text);
    try {
        Manifest::parse(in, "stray.csv", "/data");
        FAIL() << "a manifest with an unterminated quote was accepted";
    } catch (const ManifestError& error) {
        EXPECT_NE(std::string(error.what()).find("stray.csv:5: unterminated quoted field"), std::string::npos) << error.what();
    }
}

TEST(Manifest, AQuotedFieldMaySpanLinesAndKeepsItsNewline) {
    std::istringstream in("file,note\n\"a.png\",\"first line\nsecond, with comma\"\nb.png,plain\n");
    const Manifest manifest = Manifest::parse(in, "multi.csv", "/data");
    ASSERT_EQ(manifest.size(), 2u);
    EXPECT_EQ(manifest.value(0, "note"), "first line\nsecond, with comma");
    EXPECT_EQ(manifest.file(1), std::filesystem::path("/data/b.png"));
}

TEST(Manifest, RequiresAFileColumn) {
    auto csv = writeTempFile("dpflow_manifest_nofile.csv", "path,split\na,train\n");
    EXPECT_THROW(Manifest::read(csv), ManifestError);
}

TEST(Manifest, UnknownColumnIsAnError) {
    auto csv = writeTempFile("dpflow_manifest_col.csv", "file\na\n");
    EXPECT_THROW(Manifest::read(csv).value(0, "label"), ManifestError);
}

}  // namespace
}  // namespace dpflow
