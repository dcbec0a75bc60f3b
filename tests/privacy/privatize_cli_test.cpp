#include "image/dicom_writer.h"
#include "image/image_reader.h"
#include "../support/command_runner.h"
#include "../support/released_header_checks.h"
#include "privatizer_test_support.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <tuple>

namespace dpflow {
namespace {

namespace fs = std::filesystem;

using CliRun = test::CommandRun;

class PrivatizeCliTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = test::tinyFlowFiles().dir / ::testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        // Two images of the study with their attributes, as a manifest the CLI reads.
        const fs::path study = test::tinyFlowFiles().dir / "png";
        Manifest manifest({"file", "label", "sex"}, dir_);
        manifest.addRow({(study / "img_21.png").string(), "1", "F"});
        manifest.addRow({(study / "img_22.png").string(), "0", "M"});
        manifest_ = dir_ / "release.csv";
        manifest.write(manifest_);
    }

    CliRun dpflow(const std::string& arguments) const { return test::runDpflow(arguments); }
    std::string model() const { return test::tinyFlowFiles().model.string(); }
    static nlohmann::json readJson(const fs::path& path) {
        std::ifstream in(path);
        return nlohmann::json::parse(in);
    }

    fs::path dir_;
    fs::path manifest_;
};

TEST_F(PrivatizeCliTest, ExplainPrintsTheAccountingWithoutReadingImages) {
    const CliRun run = dpflow("privatize --explain --model " + model() +
                           " --mechanism cadp --l1-radius 8 --epsilon 1000 --keep label --protect sex:1");
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("D (released elements): 64\n"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("Delta (L1 sensitivity): 16\n"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("r (grid granularity): 2.8421709430404007e-14 (2^-45)\n"), std::string::npos) << run.output;
    // 16 + 64 * 2^-45, moved up one ulp so rounding never shrinks the noise.
    EXPECT_NE(run.output.find("Delta_r = Delta + D r: 16.000000000001823\n"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("attribute label: kept"), std::string::npos);
    EXPECT_NE(run.output.find("keep probability 0.731059"), std::string::npos);
    EXPECT_NE(run.output.find("eps_total: eps_latent 1000 + eps_sex 1 = 1001"), std::string::npos) << run.output;
    // b = Delta_r / eps = 0.016; shrink k = 1 / (1 + 2 b^2).
    EXPECT_NE(run.output.find("decoding: shrink, x~ = f^-1(k u~ | c') with k = 1 / (1 + 2 b^2) = 0.999488"), std::string::npos)
        << run.output;
    const CliRun direct = dpflow("privatize --explain --model " + model() +
                                 " --mechanism cadp --l1-radius 8 --epsilon 1000 --keep label --protect sex:1 --decode direct");
    EXPECT_NE(direct.output.find("decoding: direct"), std::string::npos) << direct.output;
}

TEST_F(PrivatizeCliTest, ExplainShowsResampleAccountingAndThePrivateReferenceWarning) {
    const CliRun run = dpflow("privatize --explain --model " + model() + " --mechanism cadp --epsilon 2 --keep label,sex --safeguard " +
                           manifest_.string() + " --tau 0.5 --policy resample --tries 4");
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("eps_total: 4 x (eps_latent 2) = 8"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("the formal guarantee no longer holds"), std::string::npos) << run.output;
}

TEST_F(PrivatizeCliTest, ReleasesOneImageAndOneRecordPerInputStampedNotPrivate) {
    const CliRun run = dpflow("privatize --model " + model() + " --mechanism dpglow --epsilon 1e4 --keep label --protect sex:2 "
                           "--insecure-test-seed 5 --out " + (dir_ / "out").string() + " " + manifest_.string());
    ASSERT_EQ(run.status, 0) << run.output;
    const fs::path png = dir_ / "out" / "img_21_dpglow_NOT-PRIVATE.png";
    ASSERT_TRUE(fs::exists(png)) << run.output;
    EXPECT_TRUE(fs::exists(dir_ / "out" / "img_22_dpglow_NOT-PRIVATE.png"));
    const Image released = readImage(png);
    EXPECT_EQ(released.width, 8);
    EXPECT_EQ(released.stored_bits, 16);
    const auto record = readJson(dir_ / "out" / "img_21_dpglow_NOT-PRIVATE.json");
    EXPECT_EQ(record["stamp"], "NOT PRIVATE");
    EXPECT_EQ(record["mechanism"], "dpglow");
    EXPECT_EQ(record["epsilon"]["total"], 10002.0);
    EXPECT_EQ(record["attributes"]["released_values"]["label"], "1");
    EXPECT_EQ(record["source"]["ledger_key"], "sha256:" + record["source"]["sha256"].get<std::string>());
    EXPECT_EQ(record["model"]["name"], "tiny.safetensors");
    EXPECT_EQ(record["noise"]["dimension"], 64);
    EXPECT_EQ(record["latent_decoding"]["method"], "shrink");
    const double b = record["noise"]["scale_b"].get<double>();
    EXPECT_DOUBLE_EQ(record["latent_decoding"]["shrink_factor"].get<double>(), 1.0 / (1.0 + 2.0 * b * b));
    EXPECT_NE(run.output.find("[2/2]"), std::string::npos);
    EXPECT_NE(run.output.find("NOT PRIVATE"), std::string::npos);
}

TEST_F(PrivatizeCliTest, LedgerComposesAcrossRunsAndWarnsPastTheLimit) {
    const std::string common = "privatize --model " + model() + " --mechanism cadp --epsilon 3 --keep label,sex "
                               "--insecure-test-seed 9 --budget-limit 5 --ledger " + (dir_ / "ledger.jsonl").string() + " ";
    const CliRun first = dpflow(common + "--out " + (dir_ / "a").string() + " " + manifest_.string());
    ASSERT_EQ(first.status, 0) << first.output;
    EXPECT_EQ(first.output.find("above the per-image limit"), std::string::npos) << first.output;
    const CliRun second = dpflow(common + "--out " + (dir_ / "b").string() + " " + manifest_.string());
    ASSERT_EQ(second.status, 0) << second.output;
    EXPECT_NE(second.output.find("total epsilon to 6, above the per-image limit of 5"), std::string::npos) << second.output;
    const auto record = readJson(dir_ / "b" / "img_21_cadp_NOT-PRIVATE.json");
    EXPECT_EQ(record["ledger"]["spent_before"], 3.0);
    EXPECT_EQ(record["ledger"]["spent_after"], 6.0);
    std::ifstream ledger(dir_ / "ledger.jsonl");
    int lines = 0;
    for (std::string line; std::getline(ledger, line);) ++lines;
    EXPECT_EQ(lines, 4);
}

TEST_F(PrivatizeCliTest, SafeguardWithTheImageItselfInTheReferenceWithholdsIt) {
    const CliRun run = dpflow("privatize --model " + model() + " --mechanism cadp --epsilon 1 --keep label,sex --safeguard " +
                           manifest_.string() + " --tau 100 --reference-public --out " + (dir_ / "out").string() + " " +
                           manifest_.string());
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("withheld: nearest-neighbour safeguard"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("it contains an image being released"), std::string::npos) << run.output;
    EXPECT_FALSE(fs::exists(dir_ / "out" / "img_21_cadp.png"));
    const auto record = readJson(dir_ / "out" / "img_21_cadp.json");
    EXPECT_EQ(record["output"]["withheld"], true);
    EXPECT_EQ(record["safeguard"]["reference_public"], false);
    EXPECT_EQ(record["guarantee"]["holds"], false);
}

TEST_F(PrivatizeCliTest, BadInputIsReportedAndTheBatchGoesOn) {
    const CliRun run = dpflow("privatize --mechanism pixel --epsilon 50 --out " + (dir_ / "out").string() + " " +
                           (dir_ / "missing.png").string() + " " + (test::tinyFlowFiles().dir / "png/img_0.png").string());
    EXPECT_EQ(run.status, 1) << run.output;
    EXPECT_NE(run.output.find("missing.png: error:"), std::string::npos) << run.output;
    const Image released = readImage(dir_ / "out" / "img_0_pixel.png");
    EXPECT_EQ(released.width, 6);  // no model: the image's own size
}

TEST_F(PrivatizeCliTest, PlainFilesWithoutAttributeValuesAreRefusedWithAHint) {
    const std::string file = (test::tinyFlowFiles().dir / "png/img_0.png").string();
    const CliRun run = dpflow("privatize --model " + model() + " --mechanism cadp --epsilon 1 --keep label,sex --out " +
                           (dir_ / "out").string() + " " + file);
    EXPECT_EQ(run.status, 1);
    EXPECT_NE(run.output.find("--attribute label=VALUE"), std::string::npos) << run.output;
    const CliRun given = dpflow("privatize --model " + model() + " --mechanism cadp --epsilon 1 --keep label,sex --attribute "
                             "label=0 --attribute sex=F --out " + (dir_ / "out").string() + " " + file);
    EXPECT_EQ(given.status, 0) << given.output;
}

TEST_F(PrivatizeCliTest, DicomOutputIsDerivedAndStampedInTheDerivationDescription) {
    const CliRun run = dpflow("privatize --model " + model() + " --mechanism cadp --epsilon 1 --keep label,sex --format dcm "
                           "--insecure-test-seed 1 --out " + (dir_ / "out").string() + " " + manifest_.string());
    ASSERT_EQ(run.status, 0) << run.output;
    DcmFileFormat file;
    ASSERT_TRUE(file.loadFile((dir_ / "out" / "img_21_cadp_NOT-PRIVATE.dcm").c_str()).good());
    OFString description, image_type;
    file.getDataset()->findAndGetOFString(DCM_DerivationDescription, description);
    file.getDataset()->findAndGetOFStringArray(DCM_ImageType, image_type);
    EXPECT_EQ(std::string(description.c_str()).rfind("NOT PRIVATE", 0), 0u) << description;
    EXPECT_NE(std::string(image_type.c_str()).find("DERIVED"), std::string::npos) << image_type;
}

// DICOM copies of the two study images whose headers carry identity and the true sex and view
// in every element that can state them; the manifest lists them with their attributes.
class PrivatizeDicomHeaderTest : public PrivatizeCliTest {
protected:
    void SetUp() override {
        PrivatizeCliTest::SetUp();
        const fs::path study = test::tinyFlowFiles().dir / "png";
        Manifest manifest({"file", "label", "sex"}, dir_);
        for (const auto& [name, label, sex, view] : {std::tuple{"img_21", "1", "F", "PA"}, std::tuple{"img_22", "0", "M", "AP"}}) {
            const fs::path dicom = dir_ / (std::string(name) + ".dcm");
            writeDicom(readImage(study / (std::string(name) + ".png")), dicom, 8, test::identifyingSourceHeader(sex, view));
            manifest.addRow({dicom.string(), label, sex});
        }
        manifest_ = dir_ / "dicom-release.csv";
        manifest.write(manifest_);
    }

    CliRun privatize(const std::string& treatment, const fs::path& out) const {
        return dpflow("privatize --model " + model() + " --mechanism dpglow --epsilon 1e5 " + treatment +
                      " --format dcm --insecure-test-seed 3 --out " + out.string() + " " + manifest_.string());
    }
};

TEST_F(PrivatizeDicomHeaderTest, AKeptAttributeIsWrittenFromItsReleasedValueOnly) {
    const fs::path out = dir_ / "kept";
    const CliRun run = privatize("--keep label,sex", out);
    ASSERT_EQ(run.status, 0) << run.output;
    for (const auto& [name, sex] : {std::pair{"img_21", "F"}, std::pair{"img_22", "M"}}) {
        const fs::path dcm = out / (std::string(name) + "_dpglow_NOT-PRIVATE.dcm");
        const auto record = readJson(fs::path(dcm).replace_extension(".json"));
        EXPECT_EQ(record["attributes"]["released_values"]["sex"], sex);
        EXPECT_EQ(record["output"]["file"], dcm.string());
        test::expectReleasedHeader(dcm, {{"PatientSex", sex}}, {"ViewPosition", "PatientAge"}, true);
    }
}

TEST_F(PrivatizeDicomHeaderTest, AProtectedAttributeIsNotWrittenIntoTheHeaderAtAll) {
    const fs::path out = dir_ / "protected";
    const CliRun run = privatize("--keep label --protect sex:1", out);
    ASSERT_EQ(run.status, 0) << run.output;
    for (const char* name : {"img_21", "img_22"}) {
        const fs::path dcm = out / (std::string(name) + "_dpglow_NOT-PRIVATE.dcm");
        const auto record = readJson(fs::path(dcm).replace_extension(".json"));
        EXPECT_EQ(record["attributes"]["protected"], nlohmann::json::array({"sex"}));
        EXPECT_TRUE(record["attributes"]["released_values"].contains("sex"));  // the randomized draw, in the record only
        test::expectReleasedHeader(dcm, {}, {"PatientSex", "ViewPosition", "PatientAge"}, false);
    }
}

TEST_F(PrivatizeCliTest, ArtifactsReportsEveryBudgetOverTheSplitsFilms) {
    const CliRun run = dpflow("artifacts --model " + model() + " --manifest " + test::tinyFlowFiles().manifest.string() +
                              " --split val --mechanism dpglow --epsilons 1e3,1e6 --keep label,sex");
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("eps 1000: "), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("eps 1e+06: "), std::string::npos) << run.output;
    EXPECT_NE(run.output.find(" of 4 films with artifacts"), std::string::npos) << run.output;  // the 4 val images
    EXPECT_NE(run.output.find("over 4 films x 2 budgets"), std::string::npos) << run.output;
    EXPECT_EQ(dpflow("artifacts --model " + model() + " --manifest " + test::tinyFlowFiles().manifest.string() +
                     " --split nowhere --epsilons 1e3 --keep label,sex").status, 2);
}

TEST_F(PrivatizeCliTest, UsageErrorsExitWithStatusTwo) {
    EXPECT_EQ(dpflow("privatize --model " + model() + " --epsilon 1 --protect sex --keep label --explain").status, 2);
    EXPECT_EQ(dpflow("privatize --model " + model() + " --epsilon 1 --keep label --explain").status, 2);  // sex untreated
    EXPECT_EQ(dpflow("privatize --mechanism dpglow --epsilon 1 --explain").status, 2);  // no model
}

TEST_F(PrivatizeCliTest, DpGlowRefusesAModelWithoutCalibration) {
    const CliRun run = dpflow("privatize --model " + test::tinyFlowFiles().uncalibrated.string() +
                           " --epsilon 1 --keep label,sex --explain");
    EXPECT_EQ(run.status, 2);
    EXPECT_NE(run.output.find("no latent calibration"), std::string::npos) << run.output;
}

// The noise scale printed for `mechanism` at `epsilon` by `dpflow strip` (first image).
double stripScale(const std::string& output, const std::string& mechanism, const std::string& epsilon) {
    const auto at = output.find(" " + mechanism + " eps " + epsilon + ": b ");
    if (at == std::string::npos) return -1.0;
    return std::stod(output.substr(output.find(": b ", at) + 4));
}

TEST_F(PrivatizeCliTest, StripShowsEveryMechanismAndBudgetWithItsNoiseScale) {
    const fs::path png = dir_ / "strip.png";
    const CliRun run = dpflow("strip --model " + model() + " --mechanisms dpglow,pixel --epsilons 10,1000 --keep label,sex --out " +
                              png.string() + " " + manifest_.string());
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_TRUE(fs::file_size(png) > 0);
    for (const char* mechanism : {"dpglow", "pixel"}) {
        const double coarse = stripScale(run.output, mechanism, "10");
        const double fine = stripScale(run.output, mechanism, "1000");
        ASSERT_GT(fine, 0.0) << run.output;
        EXPECT_NEAR(coarse / fine, 100.0, 1.0) << mechanism << ": b must scale as 1/eps\n" << run.output;
    }
    EXPECT_NE(run.output.find("img_22.png pixel eps 1000"), std::string::npos) << "both manifest rows are shown\n" << run.output;
    EXPECT_FALSE(fs::exists(dir_ / "privacy-ledger.jsonl")) << "a strip is not a release";
}

TEST_F(PrivatizeCliTest, SampleWritesOneRowPerValueOfTheVariedAttribute) {
    const CliRun run = dpflow("sample " + model() + " --vary label --attr sex=F --count 3 --temperature 0.7 --images " +
                              (dir_ / "samples").string() + " --out " + (dir_ / "sheet.png").string());
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("wrote 6 samples in 2 rows"), std::string::npos) << run.output;
    EXPECT_TRUE(fs::exists(dir_ / "sheet.png"));
    const Image first = readImage(dir_ / "samples" / "sample_000.png");
    const Image second = readImage(dir_ / "samples" / "sample_001.png");
    EXPECT_EQ(first.width, 8);
    EXPECT_NE(first.pixels, second.pixels) << "different draws give different samples";
    EXPECT_EQ(dpflow("sample " + model() + " --vary age --out " + (dir_ / "x.png").string()).status, 2);
}

}  // namespace
}  // namespace dpflow
