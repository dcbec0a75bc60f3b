#include "release_test_support.h"

#include "eval/sweep_results.h"
#include "flow/flow_model.h"
#include "privacy/latent_allocation.h"
#include "image/manifest.h"
#include "image/sha256.h"
#include "release/durable_files.h"
#include "release/release_layout.h"

#include "../support/released_header_checks.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>
#include <map>
#include <set>

namespace dpflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using test::CliRun;
using test::dpflow;
using test::readJson;

// Source file hash -> released files' hashes, read from the records (the only place that links them).
std::map<std::string, std::string> releasedBySource(const fs::path& folder) {
    std::map<std::string, std::string> released;
    for (const auto& entry : fs::directory_iterator(folder / release_layout::kRecords)) {
        if (entry.path().filename().string().front() == '.') continue;
        const json record = readJson(entry.path());
        const std::string output = record["output"].value("file", "");
        released[record["source"]["sha256"]] = output.empty() ? "withheld" : sha256OfFile(folder / output);
    }
    return released;
}

class ReleaseCliTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = test::freshTestDir("release-cli-test", ::testing::UnitTest::GetInstance()->current_test_info()->name());
        manifest_ = test::writeSmallStudy(dir_);
    }

    std::string releaseArguments(const fs::path& out, const std::string& extra = "") const {
        return "release --model " + test::smallModel() + " --mechanism dpglow --epsilon 100000 --keep label --format png --purpose 'unit test' --input " +
               manifest_.string() + " --out " + out.string() + " " + extra;
    }

    // Releases the small study at dpglow eps 1e5 quoting a sweep whose one row is `row`, and
    // returns the certificate.
    json certificateQuoting(const SweepRow& row, const std::string& name) const {
        SweepResults results;
        results.settings.mechanisms = {"dpglow"};
        results.settings.split = "test";
        results.rows.push_back(row);
        const fs::path sweep = dir_ / (name + ".csv");
        writeSweepResults(results, sweep);
        const fs::path out = dir_ / name;
        const CliRun run = dpflow(releaseArguments(out, "--evaluation " + sweep.string()));
        EXPECT_EQ(run.status, 0) << run.output;
        return readJson(out / release_layout::kCertificate);
    }

    // A dpglow row at eps 1e5, the eps of releaseArguments.
    static SweepRow dpglowRow() {
        SweepRow row;
        row.mechanism = "dpglow";
        row.epsilon = 100000;
        return row;
    }

    fs::path dir_;
    fs::path manifest_;
};

TEST_F(ReleaseCliTest, ReleaseWritesImagesRecordsManifestAuditAndCertificate) {
    const fs::path out = dir_ / "release";
    const CliRun run = dpflow(releaseArguments(out));
    ASSERT_EQ(run.status, 0) << run.output;
    const json certificate = readJson(out / release_layout::kCertificate);
    EXPECT_EQ(certificate["counts"]["released"], 6);
    EXPECT_EQ(certificate["counts"]["failed"], 0);
    EXPECT_EQ(certificate["accounting"]["epsilon"]["total"], 100000.0);
    EXPECT_GT(certificate["accounting"]["noise"]["scale_b"].get<double>(), 0.0);
    EXPECT_EQ(certificate["attributes"]["disclosed"], json::array({"label"}));
    EXPECT_EQ(certificate["model"]["name"], "pneumoniamnist-glow32.safetensors");
    EXPECT_EQ(certificate["model"]["sha256"].get<std::string>().size(), 64u);
    EXPECT_NE(certificate["ethics_statement"].get<std::string>().find("unit test"), std::string::npos);
    ASSERT_EQ(certificate["images"].size(), 6u);
    for (const auto& image : certificate["images"]) {
        ASSERT_EQ(image["files"].size(), 2u);  // the PNG and its record
        EXPECT_EQ(image["files"][0]["sha256"], sha256OfFile(out / image["files"][0]["path"].get<std::string>()));
    }
    EXPECT_TRUE(fs::file_size(out / release_layout::kCertificatePdf) > 1000);
    const auto audit = readJsonLines(out / release_layout::kAudit);
    ASSERT_EQ(audit.size(), 8u);  // started, 6 released, finished
    EXPECT_EQ(audit.front()["event"], "started");
    EXPECT_EQ(audit.back()["event"], "finished");
    EXPECT_EQ(readJsonLines(out / release_layout::kLedger).size(), 6u);
}

TEST_F(ReleaseCliTest, TheDecodingIsPartOfTheReleaseDecisionOnTheCommandLineAndInTheConfig) {
    const fs::path out = dir_ / "direct";
    const CliRun run = dpflow(releaseArguments(out, "--decode direct"));
    ASSERT_EQ(run.status, 0) << run.output;
    const json certificate = readJson(out / release_layout::kCertificate);
    EXPECT_EQ(certificate["settings"]["decode"], "direct");
    EXPECT_EQ(certificate["accounting"]["latent_decoding"]["method"], "direct");

    json config = certificate["settings"];
    config["decode"] = "shrink";
    config.erase("shard");
    const fs::path config_path = dir_ / "release.json";
    std::ofstream(config_path) << config.dump();
    const fs::path from_config = dir_ / "shrink";
    const CliRun configured = dpflow("release --config " + config_path.string() + " --out " + from_config.string());
    ASSERT_EQ(configured.status, 0) << configured.output;
    EXPECT_EQ(readJson(from_config / release_layout::kCertificate)["accounting"]["latent_decoding"]["method"], "shrink");
}

TEST_F(ReleaseCliTest, TheCertificateSaysWhatTheQuotedUtilityMeasuresOnAConditionalFlow) {
    SweepRow row = dpglowRow();
    row.protocol_a = SweepAuc{0.97, 0.9, 1.0, 10, 10};
    const std::string statement = certificateQuoting(row, "evaluated")["ethics_statement"].get<std::string>();
    EXPECT_NE(statement.find("ROC AUC of 0.97"), std::string::npos) << statement;
    EXPECT_NE(statement.find("measures the disclosed label"), std::string::npos) << statement;
}

TEST_F(ReleaseCliTest, TheCertificateJudgesTheAttacksOnTheWholeReleaseAndOnWhatTheImagesAddToItsDisclosedAttributes) {
    // The embedding attacker names the right patient for 132 of 1,000 probes (13 x chance): the
    // release identifies. Its guesses would score 0.13 if the films carried nothing beyond their
    // disclosed attributes: the images add nothing to them.
    SweepRow row = dpglowRow();
    SweepAttackFigures& attack = row.embedding_attacker.identification;
    attack.top1_hits = 132;
    attack.probes = 1000;
    attack.top1_rate = 0.132;
    attack.chance_rate = 0.01;
    attack.verification_auc = 0.7;
    attack.chance_given_disclosed = 0.13;
    attack.verification_within_disclosed_auc = 0.52;
    const json certificate = certificateQuoting(row, "judged");
    const json& evaluation = certificate["evaluation"];
    EXPECT_FALSE(evaluation["verdict"]["at_this_epsilon"]["all_attacks_at_chance"].get<bool>());
    EXPECT_NEAR(evaluation["verdict"]["at_this_epsilon"]["line"].get<double>(), 0.02, 1e-12);
    EXPECT_TRUE(evaluation["verdict_beyond_disclosed_attributes"]["at_this_epsilon"]["all_attacks_at_chance"].get<bool>());
    EXPECT_NEAR(evaluation["verdict_beyond_disclosed_attributes"]["at_this_epsilon"]["line"].get<double>(), 0.26, 1e-12);
    const std::string ethics = certificate["ethics_statement"].get<std::string>();
    EXPECT_NE(ethics.find("the measured attacks are NOT shown to be at chance"), std::string::npos) << ethics;
    EXPECT_NE(ethics.find("the images themselves are shown to be at chance at this epsilon: what the attacks gain comes from "
                          "the disclosed attributes"),
              std::string::npos)
        << ethics;
}

TEST_F(ReleaseCliTest, AnAllocatedReleaseCertifiesItsAllocationAndSaysTheGuaranteeIsVacuousAtThisEpsilon) {
    // The finest level drawn from the prior, the rest one scale: a data-independent allocation.
    const FlowModel model = FlowModel::load(test::smallModel(), "cpu");
    LatentAllocation allocation;
    allocation.scheme = "coarse";
    allocation.objective = "test";
    allocation.model_sha256 = sha256OfFile(test::smallModel());
    allocation.public_data = "none (test)";
    allocation.public_image_sha256 = {"0"};
    const auto& levels = model.layout().levels;
    const double budgeted = static_cast<double>(model.layout().total - levels[0].size());
    for (const auto& level : levels) {
        const auto begin = static_cast<std::size_t>(level.offset);
        allocation.groups.push_back({"level", begin, begin + static_cast<std::size_t>(level.size()),
                                     level.offset == 0 ? 0.0 : static_cast<double>(level.size()) / budgeted, 0.0, 0.0});
    }
    const fs::path file = dir_ / "small.allocation.json";
    writeLatentAllocation(file, allocation);
    const fs::path out = dir_ / "release";
    const CliRun run = dpflow("release --model " + test::smallModel() + " --mechanism allocated --allocation " + file.string() +
                              " --epsilon 100000 --keep label --format png --purpose 'unit test' --input " + manifest_.string() +
                              " --out " + out.string());
    ASSERT_EQ(run.status, 0) << run.output;
    const json certificate = readJson(out / release_layout::kCertificate);
    EXPECT_EQ(certificate["counts"]["released"], 6);
    EXPECT_EQ(certificate["accounting"]["mechanism"], "allocated");
    EXPECT_EQ(certificate["accounting"]["allocation"]["sha256"], sha256OfFile(file));
    EXPECT_EQ(certificate["accounting"]["allocation"]["groups"].size(), levels.size());
    const std::string ethics = certificate["ethics_statement"].get<std::string>();
    EXPECT_NE(ethics.find("split over 3 groups of latent coordinates by the allocation small.allocation.json"), std::string::npos)
        << ethics;
    EXPECT_NE(ethics.find("1 group(s) were drawn from the prior"), std::string::npos) << ethics;
    EXPECT_NE(ethics.find("At epsilon 100000 the formal guarantee is vacuous"), std::string::npos) << ethics;
    EXPECT_EQ(dpflow("verify-release " + out.string()).status, 0);

    // A sweep that measured other allocations is not quoted for this one.
    const fs::path sweep = dir_ / "sweep.csv";
    SweepResults other;
    other.settings.model_path = test::smallModel();
    other.settings.mechanisms = {"allocated"};
    other.settings.allocations = {"elsewhere.json"};
    other.settings.epsilons = {1e5};
    other.hashes.model_sha256 = sha256OfFile(test::smallModel());
    other.hashes.allocation_sha256 = {"another allocation"};
    SweepRow row;
    row.mechanism = "allocated";
    row.epsilon = 1e5;
    row.protocol_a = SweepAuc{0.9, 0.8, 1.0, 3, 3};
    other.rows = {row};
    writeSweepResults(other, sweep);
    const auto releaseQuoting = [&](const fs::path& release) {
        return dpflow("release --model " + test::smallModel() + " --mechanism allocated --allocation " + file.string() +
                      " --epsilon 100000 --keep label --format png --evaluation " + sweep.string() + " --input " +
                      manifest_.string() + " --out " + release.string()).status;
    };
    const fs::path quoted = dir_ / "quoted";
    ASSERT_EQ(releaseQuoting(quoted), 0);
    const json quoted_certificate = readJson(quoted / release_layout::kCertificate);
    EXPECT_FALSE(quoted_certificate["evaluation"]["allocation_found"].get<bool>());
    EXPECT_FALSE(quoted_certificate["evaluation"]["found"].get<bool>());
    EXPECT_NE(quoted_certificate["ethics_statement"].get<std::string>().find("did not measure this release's allocation"),
              std::string::npos);

    // The same sweep on this allocation is quoted.
    other.hashes.allocation_sha256 = {sha256OfFile(file)};
    writeSweepResults(other, sweep);
    const fs::path matched = dir_ / "matched";
    ASSERT_EQ(releaseQuoting(matched), 0);
    const json matched_certificate = readJson(matched / release_layout::kCertificate);
    EXPECT_TRUE(matched_certificate["evaluation"]["allocation_found"].get<bool>());
    EXPECT_TRUE(matched_certificate["evaluation"]["found"].get<bool>());
    EXPECT_EQ(matched_certificate["evaluation"]["row"]["protocol_a_auc"], 0.9);
}

TEST_F(ReleaseCliTest, ReleaseManifestHasNewIdsAndOnlyKeptAttributes) {
    const fs::path kept = dir_ / "kept", protect = dir_ / "protected";
    ASSERT_EQ(dpflow(releaseArguments(kept)).status, 0);
    const std::string arguments = releaseArguments(protect);
    const CliRun run = dpflow(arguments.substr(0, arguments.find("--keep")) + "--protect label:1" +
                              arguments.substr(arguments.find(" --format")));
    ASSERT_EQ(run.status, 0) << run.output;
    const Manifest with_label = Manifest::read(kept / release_layout::kManifest);
    EXPECT_EQ(with_label.columns(), (std::vector<std::string>{"id", "file", "label"}));
    const Manifest without_label = Manifest::read(protect / release_layout::kManifest);
    EXPECT_EQ(without_label.columns(), (std::vector<std::string>{"id", "file"}));
    std::ifstream in(protect / release_layout::kManifest);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(text.find("test_0"), std::string::npos);  // no source file name
    EXPECT_EQ(text.find("P"), std::string::npos);       // no patient id
}

TEST_F(ReleaseCliTest, VerifyPassesOnAFreshReleaseAndFailsAfterOneByteIsChanged) {
    const fs::path out = dir_ / "release";
    ASSERT_EQ(dpflow(releaseArguments(out)).status, 0);
    const CliRun good = dpflow("verify-release " + out.string());
    EXPECT_EQ(good.status, 0) << good.output;
    EXPECT_NE(good.output.find("OK: 13 files"), std::string::npos) << good.output;  // 6 PNG, 6 records, manifest

    const json certificate = readJson(out / release_layout::kCertificate);
    const fs::path image = out / certificate["images"][3]["files"][0]["path"].get<std::string>();
    {
        std::fstream file(image, std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(100);
        char byte = 0;
        file.read(&byte, 1);
        file.seekp(100);
        byte = static_cast<char>(byte ^ 0x01);
        file.write(&byte, 1);
    }
    const CliRun bad = dpflow("verify-release " + out.string());
    EXPECT_EQ(bad.status, 1);
    EXPECT_NE(bad.output.find(image.filename().string() + " was changed"), std::string::npos) << bad.output;
}

TEST_F(ReleaseCliTest, VerifyFailsWhenTheCertificateIsEdited) {
    const fs::path out = dir_ / "release";
    ASSERT_EQ(dpflow(releaseArguments(out)).status, 0);
    json certificate = readJson(out / release_layout::kCertificate);
    certificate["accounting"]["epsilon"]["total"] = 1.0;
    std::ofstream(out / release_layout::kCertificate) << certificate.dump(2);
    const CliRun run = dpflow("verify-release " + out.string());
    EXPECT_EQ(run.status, 1);
    EXPECT_NE(run.output.find("edited after it was made"), std::string::npos) << run.output;
}

TEST_F(ReleaseCliTest, ResumeAfterAKillReleasesTheRestOnceAndKeepsEarlierImagesByteIdentical) {
    const fs::path out = dir_ / "release";
    const CliRun killed = dpflow(releaseArguments(out, "--test-kill-after 3"));
    ASSERT_EQ(killed.status, 128 + SIGKILL) << killed.output;
    // Killed after the third ledger commit, before its files were renamed into place.
    const auto before = releasedBySource(out);
    EXPECT_EQ(before.size(), 2u);
    EXPECT_EQ(readJsonLines(out / release_layout::kLedger).size(), 3u);

    const CliRun resumed = dpflow(releaseArguments(out));
    ASSERT_EQ(resumed.status, 0) << resumed.output;
    EXPECT_NE(resumed.output.find("recovered"), std::string::npos) << resumed.output;
    const auto after = releasedBySource(out);
    EXPECT_EQ(after.size(), 6u);
    for (const auto& [source, hash] : before) EXPECT_EQ(after.at(source), hash) << source;
    EXPECT_EQ(readJsonLines(out / release_layout::kLedger).size(), 6u);  // no noise drawn twice for a source
    const json certificate = readJson(out / release_layout::kCertificate);
    EXPECT_EQ(certificate["counts"]["released"], 6);
    EXPECT_EQ(certificate["images"].size(), 6u);
    EXPECT_EQ(dpflow("verify-release " + out.string()).status, 0);
}

TEST_F(ReleaseCliTest, ResumeWithOtherSettingsIsRefused) {
    const fs::path out = dir_ / "release";
    ASSERT_EQ(dpflow(releaseArguments(out, "--test-kill-after 1")).status, 128 + SIGKILL);
    std::string arguments = releaseArguments(out);
    arguments.replace(arguments.find("100000"), 6, "200000");
    const CliRun run = dpflow(arguments);
    EXPECT_EQ(run.status, 2);
    EXPECT_NE(run.output.find("other settings"), std::string::npos) << run.output;
}

TEST_F(ReleaseCliTest, TwoShardsMergedReleaseTheSameSourcesAsOneRun) {
    const fs::path whole = dir_ / "whole", shard0 = dir_ / "shard0", shard1 = dir_ / "shard1", merged = dir_ / "merged";
    ASSERT_EQ(dpflow(releaseArguments(whole)).status, 0);
    ASSERT_EQ(dpflow(releaseArguments(shard0, "--shard 0/2")).status, 0);
    ASSERT_EQ(dpflow(releaseArguments(shard1, "--shard 1/2")).status, 0);
    const CliRun merge = dpflow("release --merge " + shard0.string() + " --merge " + shard1.string() + " --out " + merged.string());
    ASSERT_EQ(merge.status, 0) << merge.output;

    std::set<std::string> whole_sources, merged_sources, shard_sources;
    for (const auto& [source, hash] : releasedBySource(whole)) whole_sources.insert(source);
    for (const auto& [source, hash] : releasedBySource(merged)) merged_sources.insert(source);
    for (const auto& folder : {shard0, shard1})
        for (const auto& [source, hash] : releasedBySource(folder)) EXPECT_TRUE(shard_sources.insert(source).second) << source;
    EXPECT_EQ(merged_sources, whole_sources);
    EXPECT_EQ(shard_sources, whole_sources);
    const json certificate = readJson(merged / release_layout::kCertificate);
    EXPECT_EQ(certificate["shards"], json::array({"0/2", "1/2"}));
    EXPECT_EQ(certificate["counts"]["released"], 6);
    EXPECT_EQ(dpflow("verify-release " + merged.string()).status, 0);
}

TEST_F(ReleaseCliTest, MergeRefusesShardsWithDifferentSettings) {
    const fs::path shard0 = dir_ / "shard0", shard1 = dir_ / "shard1";
    ASSERT_EQ(dpflow(releaseArguments(shard0, "--shard 0/2")).status, 0);
    std::string arguments = releaseArguments(shard1, "--shard 1/2");
    arguments.replace(arguments.find("100000"), 6, "200000");
    ASSERT_EQ(dpflow(arguments).status, 0);
    const CliRun merge = dpflow("release --merge " + shard0.string() + " --merge " + shard1.string() + " --out " + (dir_ / "m").string());
    EXPECT_EQ(merge.status, 2);
    EXPECT_NE(merge.output.find("other settings"), std::string::npos) << merge.output;
}

// A release of a phantom DICOM study (headers with the patient's name, ID, address, birth date,
// true sex, age, view and patient orientation) with one attribute kept and one protected.
class ReleaseDicomHeaderTest : public ReleaseCliTest {
protected:
    void SetUp() override {
        ReleaseCliTest::SetUp();
        study_ = dir_ / "phantom";
        ASSERT_EQ(dpflow("phantom --out " + study_.string() + " --patients 1 --images-per-patient 2 --size 128 --seed 3 --format dcm").status, 0);
        truth_ = Manifest::read(study_ / "manifest.csv");
    }

    // The studio's 128 px phantom model (phantoms are at least 64 px; the 32 px model pads, never
    // shrinks). A protected attribute gets eps 20, so c' = c all but surely: this model decodes to
    // NaN when a randomized attribute differs from the true one (the release then withholds it).
    json release(const std::string& treatment, const fs::path& out) {
        const CliRun run = dpflow("release --model " + std::string(DPFLOW_SOURCE_DIR) + "/models/phantom128-glow.safetensors"
                                  " --epsilon 100000 " + treatment + " --input " + (study_ / "manifest.csv").string() +
                                  " --out " + out.string());
        EXPECT_EQ(run.status, 0) << run.output;
        json certificate = readJson(out / release_layout::kCertificate);
        EXPECT_EQ(certificate["counts"]["released"], 2);
        return certificate;
    }

    // The true value of `column` for the source a released record names.
    std::string truthFor(const fs::path& record_path, const std::string& column) {
        const std::string source = readJson(record_path)["source"]["path"].get<std::string>();
        for (std::size_t row = 0; row < truth_.size(); ++row)
            if (fs::equivalent(truth_.file(row), source)) return truth_.value(row, column);
        ADD_FAILURE() << "no manifest row for " << source;
        return {};
    }

    fs::path study_;
    Manifest truth_{{"file"}, "."};
};

TEST_F(ReleaseDicomHeaderTest, KeptViewIsWrittenFromItsReleasedValueAndProtectedSexNotAtAll) {
    const fs::path out = dir_ / "view-kept";
    const json certificate = release("--keep pathology,view --protect sex:20", out);
    const Manifest released = Manifest::read(out / release_layout::kManifest);
    EXPECT_TRUE(released.hasColumn("view"));
    EXPECT_FALSE(released.hasColumn("sex"));
    for (std::size_t row = 0; row < released.size(); ++row) {
        const fs::path dcm = released.file(row);
        ASSERT_EQ(dcm.extension(), ".dcm");
        EXPECT_EQ(dcm.stem().string(), released.value(row, "id"));  // new ids, never the source's name
        const fs::path record = out / "records" / (released.value(row, "id") + ".json");
        EXPECT_EQ(released.value(row, "view"), truthFor(record, "view"));
        test::expectReleasedHeader(dcm, {{"ViewPosition", released.value(row, "view")}}, {"PatientSex", "PatientAge"}, false);
    }
}

TEST_F(ReleaseDicomHeaderTest, KeptSexIsRetainedAsAPatientCharacteristicAndProtectedViewNotWritten) {
    const fs::path out = dir_ / "sex-kept";
    release("--keep pathology,sex --protect view:20", out);
    const Manifest released = Manifest::read(out / release_layout::kManifest);
    EXPECT_TRUE(released.hasColumn("sex"));
    EXPECT_FALSE(released.hasColumn("view"));
    for (std::size_t row = 0; row < released.size(); ++row) {
        const fs::path record = out / "records" / (released.value(row, "id") + ".json");
        EXPECT_EQ(released.value(row, "sex"), truthFor(record, "sex"));
        test::expectReleasedHeader(released.file(row), {{"PatientSex", released.value(row, "sex")}}, {"ViewPosition", "PatientAge"},
                                   true);
    }
}

}  // namespace
}  // namespace dpflow
