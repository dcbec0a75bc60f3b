#include "phantom/phantom_study.h"
#include "../support/command_runner.h"

#include "image/image_reader.h"
#include "image/manifest.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <unistd.h>

namespace dpflow {
namespace {

namespace fs = std::filesystem;

fs::path freshDir(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("dpflow_phantom_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    return dir;
}

PhantomStudyOptions smallStudy(const fs::path& dir, std::uint64_t seed, PhantomFormat format = PhantomFormat::png) {
    PhantomStudyOptions o;
    o.out_dir = dir;
    o.patients = 3;
    o.images_per_patient = 2;
    o.size = 64;
    o.seed = seed;
    o.format = format;
    o.pathology_rate = 0.5;
    return o;
}

std::string readBytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every file of the folder, by name, with its bytes.
std::map<std::string, std::string> folderBytes(const fs::path& dir) {
    std::map<std::string, std::string> files;
    for (const auto& entry : fs::directory_iterator(dir)) files[entry.path().filename().string()] = readBytes(entry.path());
    return files;
}

TEST(PhantomStudy, SameSeedWritesIdenticalBytes) {
    for (PhantomFormat format : {PhantomFormat::png, PhantomFormat::dicom}) {
        const fs::path a = freshDir("same_a"), b = freshDir("same_b");
        generatePhantomStudy(smallStudy(a, 77, format));
        generatePhantomStudy(smallStudy(b, 77, format));
        const auto files_a = folderBytes(a), files_b = folderBytes(b);
        EXPECT_EQ(files_a.size(), 3u * 2u * 2u + 1u);
        EXPECT_TRUE(files_a == files_b);
    }
}

TEST(PhantomStudy, DifferentSeedWritesDifferentImages) {
    const fs::path a = freshDir("seed_a"), b = freshDir("seed_b");
    generatePhantomStudy(smallStudy(a, 1));
    generatePhantomStudy(smallStudy(b, 2));
    const Manifest ma = Manifest::read(a / "manifest.csv"), mb = Manifest::read(b / "manifest.csv");
    EXPECT_NE(readImage(ma.file(0)).pixels, readImage(mb.file(0)).pixels);
}

TEST(PhantomStudy, ManifestDescribesEveryWrittenFile) {
    const fs::path dir = freshDir("manifest");
    const PhantomStudySummary summary = generatePhantomStudy(smallStudy(dir, 5));
    EXPECT_EQ(summary.images, 6);
    EXPECT_GT(summary.imagesPerSecond(), 0.0);
    const Manifest m = Manifest::read(summary.manifest_path);
    ASSERT_EQ(m.size(), 6u);
    for (const char* column : {"patient_id", "image_index", "split", "label", "pathology", "consolidation", "effusion",
                               "nodule", "severity", "sex", "age_group", "view", "implant", "marker_side", "mask_file",
                               "text_x", "text_y", "text_w", "text_h", "marker_x", "marker_y", "marker_w", "marker_h"})
        EXPECT_TRUE(m.hasColumn(column)) << column;
    std::map<std::string, std::string> split_of_patient;
    for (std::size_t row = 0; row < m.size(); ++row) {
        const Image image = readImage(m.file(row));
        EXPECT_EQ(image.width, 64);
        const Image mask = readImage(m.baseDir() / m.value(row, "mask_file"));
        bool marked = false;
        for (float v : mask.pixels) marked = marked || v > 0;
        EXPECT_EQ(marked, m.value(row, "pathology") != "normal") << m.value(row, "file");
        auto [it, inserted] = split_of_patient.emplace(m.value(row, "patient_id"), m.value(row, "split"));
        EXPECT_EQ(it->second, m.value(row, "split")) << "a patient must not straddle splits";
        EXPECT_EQ(m.value(row, "label"), m.value(row, "consolidation"));
    }
    EXPECT_EQ(split_of_patient.size(), 3u);
}

TEST(PhantomStudy, DicomStudyReadsBackWithThePngPixels) {
    const fs::path png_dir = freshDir("pixels_png"), dcm_dir = freshDir("pixels_dcm");
    generatePhantomStudy(smallStudy(png_dir, 9, PhantomFormat::png));
    generatePhantomStudy(smallStudy(dcm_dir, 9, PhantomFormat::dicom));
    const Manifest png = Manifest::read(png_dir / "manifest.csv"), dcm = Manifest::read(dcm_dir / "manifest.csv");
    ASSERT_EQ(png.size(), dcm.size());
    for (std::size_t row = 0; row < dcm.size(); ++row) {
        const Image a = readImage(png.file(row)), b = readImage(dcm.file(row));
        ASSERT_EQ(b.width, 64);
        EXPECT_EQ(b.stored_bits, 12);
        ASSERT_EQ(a.pixels.size(), b.pixels.size());
        for (std::size_t i = 0; i < a.pixels.size(); ++i) ASSERT_NEAR(a.pixels[i], b.pixels[i], 1e-4) << i;
    }
}

TEST(PhantomStudy, DicomHeaderCarriesTheSyntheticPatientForDcmdump) {
#ifndef DPFLOW_DCMDUMP
    GTEST_SKIP() << "dcmdump not found at configure time";
#else
    const fs::path dir = freshDir("dcmdump");
    generatePhantomStudy(smallStudy(dir, 3, PhantomFormat::dicom));
    const Manifest m = Manifest::read(dir / "manifest.csv");
    const std::string command = std::string(DPFLOW_DCMDUMP) + " \"" + m.file(0).string() + "\"";
    const test::CommandRun run = test::runCommand(command);
    ASSERT_EQ(run.status, 0) << run.output;
    const std::string& dump = run.output;
    EXPECT_NE(dump.find("[" + m.value(0, "patient_name") + "]"), std::string::npos) << dump;
    EXPECT_NE(dump.find("[" + m.value(0, "patient_id") + "]"), std::string::npos);
    for (const char* keyword : {"PatientBirthDate", "PatientSex", "StudyDate", "InstitutionName", "ReferringPhysicianName",
                                "AccessionNumber", "StudyInstanceUID", "SeriesInstanceUID", "ViewPosition", "PixelSpacing"})
        EXPECT_NE(dump.find(keyword), std::string::npos) << keyword;
    EXPECT_NE(dump.find("[" + m.value(0, "view") + "]"), std::string::npos);
#endif
}

TEST(PhantomStudy, RejectsOptionsOutOfRange) {
    PhantomStudyOptions o = smallStudy(freshDir("bad"), 1);
    o.size = 63;
    EXPECT_THROW(generatePhantomStudy(o), std::invalid_argument);
    o.size = kMaxPhantomSize + 1;
    EXPECT_THROW(validatePhantomStudyOptions(o), std::invalid_argument);
    o.size = 2048;  // a clinical detector's size
    EXPECT_NO_THROW(validatePhantomStudyOptions(o));
    o.size = 64;
    o.pathology_rate = 1.5;
    EXPECT_THROW(validatePhantomStudyOptions(o), std::invalid_argument);
    EXPECT_THROW(parsePhantomFormat("jpg"), std::invalid_argument);
}

}  // namespace
}  // namespace dpflow
