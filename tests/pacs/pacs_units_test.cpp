// The parts of the PACS client that need no server: peers, query keys, label joins, the cache.

#include "pacs/cache_manifest.h"
#include "pacs/label_join.h"
#include "pacs/pacs_cache.h"
#include "pacs/pacs_connection.h"
#include "pacs/pacs_peer.h"
#include "pacs/pacs_query.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>

namespace dpflow {
namespace {
namespace fs = std::filesystem;

fs::path freshDir(const std::string& name) {
    const fs::path dir = fs::path(DPFLOW_BINARY_DIR) / "pacs_units" / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

mode_t modeOf(const fs::path& path) {
    struct stat info {};
    ::stat(path.c_str(), &info);
    return info.st_mode & 0777;
}

TEST(PacsPeer, ParsesAetHostPortAndRefusesWhatIsNot) {
    const PacsPeer peer = parsePeer("CLINICAL@pacs.hospital.org:104");
    EXPECT_EQ(peer.ae_title, "CLINICAL");
    EXPECT_EQ(peer.host, "pacs.hospital.org");
    EXPECT_EQ(peer.port, 104);
    EXPECT_EQ(peer.describe(), "CLINICAL@pacs.hospital.org:104");
    for (const char* bad : {"CLINICAL127.0.0.1:104", "CLINICAL@127.0.0.1", "@127.0.0.1:104", "CLINICAL@:104",
                            "CLINICAL@127.0.0.1:0", "CLINICAL@127.0.0.1:65536", "CLINICAL@127.0.0.1:1x",
                            "A_VERY_LONG_AE_TITLE@127.0.0.1:104", "BACK\\SLASH@127.0.0.1:104"}) {
        EXPECT_THROW(parsePeer(bad), std::invalid_argument) << bad;
    }
}

TEST(PacsPeer, NamesComeFromThePeersFileAndAnUnknownNameSaysWhereItLooked) {
    const fs::path dir = freshDir("peers");
    std::ofstream(dir / "peers.json") << R"({"clinical": "CLINICAL@127.0.0.1:4242", "research": "RESEARCH@10.0.0.2:104"})";
    EXPECT_EQ(resolvePeer("research", dir / "peers.json").describe(), "RESEARCH@10.0.0.2:104");
    EXPECT_EQ(resolvePeer("OTHER@h:1", dir / "peers.json").describe(), "OTHER@h:1");
    try {
        resolvePeer("archive", dir / "peers.json");
        FAIL() << "an unknown name was resolved";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("peers.json"), std::string::npos) << e.what();
    }
    std::ofstream(dir / "bad.json") << R"({"clinical": "CLINICAL-127.0.0.1"})";
    EXPECT_THROW(readPeersFile(dir / "bad.json"), std::invalid_argument);
    EXPECT_TRUE(readPeersFile(dir / "missing.json").empty());
}

TEST(PacsQuery, KeysAreKeywordEqualsValueOnKnownKeywordsOnly) {
    const QueryKey key = parseQueryKey("StudyDate=20240101-20241231");
    EXPECT_EQ(key.keyword, "StudyDate");
    EXPECT_EQ(key.value, "20240101-20241231");
    EXPECT_EQ(parseQueryKey("PatientID=").value, "");
    EXPECT_THROW(parseQueryKey("PatientID"), std::invalid_argument);
    EXPECT_THROW(parseQueryKey("PatientWeight=70"), std::invalid_argument);
    EXPECT_EQ(keywordNames({{"PatientID", "PX1"}, {"Modality", "CR"}}), (std::vector<std::string>{"PatientID", "Modality"}));
    EXPECT_EQ(parseQueryLevel("series"), QueryLevel::series);
    EXPECT_THROW(parseQueryLevel("frame"), std::invalid_argument);
}

TEST(PacsCache, OnlyValidUidsBecomeFileNames) {
    EXPECT_TRUE(isValidUid("1.2.840.10008.5.1.4.1.1.7"));
    EXPECT_TRUE(isValidUid("2.25.0"));
    for (const char* bad : {"", "1..2", "1.2.", ".1", "1.02", "../etc", "1.2/3", "1.2.3a"}) EXPECT_FALSE(isValidUid(bad)) << bad;
    PacsCache cache(freshDir("uids") / "cache");
    EXPECT_THROW(cache.instancePath("1.2", "../..", "1.3"), std::invalid_argument);
}

TEST(PacsCache, IsPrivateAndPurgeRefusesAFolderThatIsNotACache) {
    const fs::path dir = freshDir("private");
    const PacsCache cache(dir / "cache");
    EXPECT_EQ(modeOf(dir / "cache"), 0700u);
    const fs::path instance = cache.instancePath("1.2.3", "1.2.3.4", "1.2.3.4.5");
    EXPECT_EQ(modeOf(instance.parent_path()), 0700u);
    EXPECT_EQ(modeOf(instance.parent_path().parent_path()), 0700u);

    fs::create_directories(dir / "papers");
    std::ofstream(dir / "papers" / "thesis.tex") << "keep me";
    EXPECT_THROW(purgePacsCache(dir / "papers"), std::runtime_error);
    EXPECT_TRUE(fs::exists(dir / "papers" / "thesis.tex"));
    EXPECT_THROW(PacsCache(dir / "papers"), std::runtime_error);  // nor is it made into one

    std::ofstream(instance) << "x";
    EXPECT_EQ(purgePacsCache(dir / "cache"), 1u);
    EXPECT_FALSE(fs::exists(dir / "cache"));
}

TEST(LabelJoin, RowsThatShareAKeyAndDisagreeAreNeverGuessed) {
    const fs::path dir = freshDir("labels");
    std::ofstream(dir / "labels.csv") << "accession_number,label,sex,note\n"
                                         "ACC1,pneumonia,F,first\n"
                                         "ACC1,pneumonia,F,first\n"   // the same again: one row
                                         "ACC2,normal,M,a\n"
                                         "ACC2,pneumonia,M,a\n"       // disagrees with the line above
                                         ",normal,M,no key\n";
    const LabelTable table = readLabelTable(dir / "labels.csv", LabelJoin::accession, {"sex"});
    EXPECT_EQ(table.columns, (std::vector<std::string>{"label", "note"}));
    ASSERT_NE(table.find("ACC1"), nullptr);
    EXPECT_EQ(*table.find("ACC1"), (std::vector<std::string>{"pneumonia", "first"}));
    EXPECT_EQ(table.find("ACC2"), nullptr);
    EXPECT_EQ(table.ambiguous.count("ACC2"), 1u);
    EXPECT_EQ(table.find(""), nullptr);
    EXPECT_THROW(readLabelTable(dir / "labels.csv", LabelJoin::sop, {}), std::invalid_argument);  // no such column
}

}  // namespace
}  // namespace dpflow
