#include "release/durable_files.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>

namespace dpflow {
namespace {

namespace fs = std::filesystem;

fs::path freshDir(const std::string& name) {
    const fs::path dir = fs::path(DPFLOW_BINARY_DIR) / "release-test-files" / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

TEST(DurableFiles, AtomicWriteReplacesTheWholeFileAndLeavesNoTemporary) {
    const fs::path dir = freshDir("atomic");
    writeFileAtomically(dir / "a.json", "first");
    writeFileAtomically(dir / "a.json", "second");
    std::ifstream in(dir / "a.json");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(text, "second");
    EXPECT_FALSE(fs::exists(partialPathFor(dir / "a.json")));
}

TEST(DurableFiles, TornLastLineIsDroppedAndCutOffByTheNextAppend) {
    const fs::path dir = freshDir("torn");
    appendJsonLine(dir / "log.jsonl", {{"n", 1}});
    std::ofstream(dir / "log.jsonl", std::ios::app) << "{\"n\": 2, \"tor";  // a kill inside the write
    ASSERT_EQ(readJsonLines(dir / "log.jsonl").size(), 1u);
    appendJsonLine(dir / "log.jsonl", {{"n", 3}});
    const auto lines = readJsonLines(dir / "log.jsonl");
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0]["n"], 1);
    EXPECT_EQ(lines[1]["n"], 3);
}

TEST(DurableFiles, DamagedMiddleLineIsAnError) {
    const fs::path dir = freshDir("damaged");
    std::ofstream(dir / "log.jsonl") << "{\"n\":1}\nnot json\n{\"n\":3}\n";
    EXPECT_THROW(readJsonLines(dir / "log.jsonl"), std::runtime_error);
}

TEST(DurableFiles, SecondLockOnTheSameFolderIsRefused) {
    const fs::path dir = freshDir("lock");
    ReleaseFolderLock first(dir);
    EXPECT_THROW(ReleaseFolderLock second(dir), std::runtime_error);
}

}  // namespace
}  // namespace dpflow
