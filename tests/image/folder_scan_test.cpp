#include "dicom_test_support.h"

#include "image/folder_scan.h"
#include "image/image_description.h"
#include "image/png_io.h"

#include <gtest/gtest.h>

#include <fstream>

namespace dpflow {
namespace {

// A folder with a PNG (named .dat), a DICOM (named .png), a text file and, in a subfolder, a
// truncated DICOM: recognition must go by content, not by name.
std::filesystem::path mixedFolder() {
    const auto folder = test::freshTempFolder("scan_mixed");
    writePng(makeImage(3, 2, 0.5f), folder / "b_image.dat", 8);
    auto file = test::makeDicom(test::patternFrame(5, 4, 12, false));
    test::saveWithDcmtk(*file, folder / "a_dicom.png", EXS_LittleEndianExplicit);
    std::ofstream(folder / "c_notes.txt") << "not an image";
    std::filesystem::create_directories(folder / "sub");
    std::ifstream in(folder / "a_dicom.png", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(folder / "sub" / "d_cut.dcm", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    return folder;
}

TEST(FolderScan, RecognisesFilesByContentInSortedOrder) {
    const auto folder = mixedFolder();
    const std::vector<ScanEntry> entries = scanImages(folder);
    ASSERT_EQ(entries.size(), 4u);
    EXPECT_EQ(entries[0].path.filename(), "a_dicom.png");
    EXPECT_EQ(entries[0].outcome, ScanOutcome::Read);
    EXPECT_EQ(entries[0].image->transfer_syntax, "Explicit VR Little Endian");
    EXPECT_EQ(entries[1].path.filename(), "b_image.dat");
    EXPECT_EQ(entries[1].outcome, ScanOutcome::Read);
    EXPECT_EQ(entries[1].image->width, 3);
    EXPECT_EQ(entries[2].path.filename(), "c_notes.txt");
    EXPECT_EQ(entries[2].outcome, ScanOutcome::Skipped);
    EXPECT_NE(entries[2].reason.find("not an image file"), std::string::npos);
    EXPECT_EQ(entries[3].path.filename(), "d_cut.dcm");
    EXPECT_EQ(entries[3].outcome, ScanOutcome::Failed);
    EXPECT_NE(entries[3].reason.find("truncated"), std::string::npos) << entries[3].reason;
}

TEST(FolderScan, AnExplicitlyNamedNonImageFileFails) {
    const auto folder = mixedFolder();
    const std::vector<ScanEntry> entries = scanImages(folder / "c_notes.txt");
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].outcome, ScanOutcome::Failed);
}

TEST(FolderScan, ListingFindsTheSameFilesWithoutDecodingThem) {
    const auto folder = mixedFolder();
    std::vector<ScanEntry> listed;
    listImages(folder, [&](ScanEntry&& entry) { listed.push_back(std::move(entry)); });
    ASSERT_EQ(listed.size(), 4u);
    EXPECT_EQ(listed[0].path.filename(), "a_dicom.png");
    EXPECT_EQ(listed[0].outcome, ScanOutcome::Found);
    EXPECT_FALSE(listed[0].image.has_value());
    EXPECT_EQ(listed[1].outcome, ScanOutcome::Found);
    EXPECT_EQ(listed[2].outcome, ScanOutcome::Skipped);
    EXPECT_EQ(listed[3].path.filename(), "d_cut.dcm");
    EXPECT_EQ(listed[3].outcome, ScanOutcome::Found);  // damaged, found out when it is decoded
}

TEST(FolderScan, ListingANamedFileThatIsMissingOrNotAnImageFails) {
    const auto folder = mixedFolder();
    std::vector<ScanEntry> listed;
    const auto collect = [&](ScanEntry&& entry) { listed.push_back(std::move(entry)); };
    listImages(folder / "c_notes.txt", collect);
    listImages(folder / "gone.dcm", collect);
    ASSERT_EQ(listed.size(), 2u);
    EXPECT_EQ(listed[0].outcome, ScanOutcome::Failed);
    EXPECT_NE(listed[0].reason.find("not an image file"), std::string::npos) << listed[0].reason;
    EXPECT_EQ(listed[1].outcome, ScanOutcome::Failed);
    EXPECT_EQ(listed[1].reason, "no such file");
}

TEST(ImageDescription, NamesSizeBitsPhotometricSyntaxWindowAndWarnings) {
    Image image = makeImage(2048, 2500);
    image.stored_bits = 12;
    image.photometric = "MONOCHROME1";
    image.transfer_syntax = "JPEG 2000 (lossless only)";
    image.window = DisplayWindow{2048, 4096};
    image.window_source = "file window 1 of 2";
    image.warnings = {"multi-frame: showing frame 1 of 3"};
    EXPECT_EQ(describeImage(image),
              "2048x2500, 12-bit, MONOCHROME1, JPEG 2000 (lossless only), window 2048/4096 (file window 1 of 2); "
              "warning: multi-frame: showing frame 1 of 3");
}

TEST(ImageDescription, ScanEntryLinesStartWithThePath) {
    ScanEntry failed{"/x/y.dcm", ScanOutcome::Failed, "empty file", std::nullopt};
    EXPECT_EQ(describeScanEntry(failed), "/x/y.dcm: error: empty file");
    ScanEntry skipped{"/x/z.txt", ScanOutcome::Skipped, "not an image file", std::nullopt};
    EXPECT_EQ(describeScanEntry(skipped), "/x/z.txt: skipped: not an image file");
}

}  // namespace
}  // namespace dpflow
