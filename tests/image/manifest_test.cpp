#include "image/manifest.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
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
