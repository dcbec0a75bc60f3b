// The PACS client against the real thing: Orthanc instances started on loopback (a "clinical"
// one seeded with phantom DICOMs by C-STORE, "research" ones to push to), checked through
// Orthanc's REST API, with the server killed mid-retrieve and mid-push.

#include "orthanc_server.h"

#include "../support/command_runner.h"
#include "image/dicom_header_values.h"
#include "image/image_reader.h"
#include "image/manifest.h"
#include "pacs/cache_manifest.h"
#include "pacs/pacs_cache.h"
#include "pacs/pacs_connection.h"
#include "pacs/pacs_error.h"
#include "pacs/pacs_retrieve.h"
#include "pacs/release_push.h"
#include "release/durable_files.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <set>

namespace dpflow {
namespace {
namespace fs = std::filesystem;
using test::OrthancServer;
using test::runDpflow;

// Per process: CTest runs each test in its own process, two at a time.
fs::path suiteDir() { return fs::path(DPFLOW_BINARY_DIR) / "pacs_orthanc" / std::to_string(::getpid()); }

fs::path freshDir(const std::string& name) {
    const fs::path dir = suiteDir() / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

std::string phantomModel() { return std::string(DPFLOW_SOURCE_DIR) + "/models/phantom128-glow.safetensors"; }

// 3 phantom patients x 2 films as DICOM, their manifest, and what each file is.
struct PhantomStudy {
    fs::path manifest;
    std::vector<fs::path> files;
    std::set<std::string> study_uids, sop_uids, series_uids;
    std::map<std::string, std::string> pixel_hash_by_sop, label_by_sop;
};

PhantomStudy makePhantomStudy(const fs::path& dir) {
    const auto run = runDpflow("phantom --out " + dir.string() + " --patients 3 --images-per-patient 2 --size 128 --format dcm --seed 5");
    if (run.status != 0) throw std::runtime_error(run.output);
    PhantomStudy study;
    study.manifest = dir / "manifest.csv";
    const Manifest manifest = Manifest::read(study.manifest);
    for (std::size_t row = 0; row < manifest.size(); ++row) {
        study.files.push_back(manifest.file(row));
        const std::string sop = manifest.value(row, "sop_instance_uid");
        study.study_uids.insert(manifest.value(row, "study_instance_uid"));
        study.sop_uids.insert(sop);
        const auto header = readDicomHeaderValues(manifest.file(row), {"SeriesInstanceUID"});
        study.series_uids.insert(header.at("SeriesInstanceUID"));
        study.pixel_hash_by_sop[sop] = test::pixelDataHash(manifest.file(row));
        if (study.pixel_hash_by_sop[sop].empty()) throw std::runtime_error("no pixel data in " + manifest.file(row).string());
        study.label_by_sop[sop] = manifest.value(row, "pathology");
    }
    return study;
}

void seed(const OrthancServer& server, const PhantomStudy& study) {
    std::vector<StorageSyntax> syntaxes;
    for (const auto& file : study.files) syntaxes.push_back(storageSyntaxOf(file));
    PacsConnection connection(server.peer(), "SEEDER", PacsService::storage, syntaxes);
    for (const auto& file : study.files) {
        const InstanceOutcome outcome = connection.store(file);
        if (!outcome.ok) throw std::runtime_error("seeding failed: " + outcome.reason);
    }
}

std::string readText(const fs::path& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), {}};
}

// One clinical PACS for the suite, seeded once; tests that stop a server start their own.
class PacsAgainstOrthanc : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        fs::remove_all(suiteDir());
        study_ = std::make_unique<PhantomStudy>(makePhantomStudy(suiteDir() / "phantoms"));
        clinical_ = std::make_unique<OrthancServer>("CLINICAL", suiteDir() / "clinical");
        seed(*clinical_, *study_);
    }
    static void TearDownTestSuite() {
        clinical_.reset();
        study_.reset();
        fs::remove_all(suiteDir());
    }
    static std::unique_ptr<PhantomStudy> study_;
    static std::unique_ptr<OrthancServer> clinical_;
};
std::unique_ptr<PhantomStudy> PacsAgainstOrthanc::study_;
std::unique_ptr<OrthancServer> PacsAgainstOrthanc::clinical_;

TEST_F(PacsAgainstOrthanc, EchoAnswersAndSaysWhyWhenTheAeTitleThePortOrTheHostIsWrong) {
    const std::string peer = clinical_->peer().describe();
    auto run = runDpflow("pacs echo --peer " + peer);
    EXPECT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("success"), std::string::npos) << run.output;

    run = runDpflow("pacs echo --peer WRONG@127.0.0.1:" + std::to_string(clinical_->peer().port));
    EXPECT_EQ(run.status, 1) << run.output;
    EXPECT_NE(run.output.find("association rejected"), std::string::npos) << run.output;

    run = runDpflow("pacs echo --peer CLINICAL@127.0.0.1:" + std::to_string(test::freeLoopbackPort()));
    EXPECT_EQ(run.status, 1) << run.output;
    EXPECT_NE(run.output.find("Connection refused"), std::string::npos) << run.output;

    run = runDpflow("pacs echo --peer CLINICAL@no-such-host.invalid:104");
    EXPECT_EQ(run.status, 1) << run.output;
    EXPECT_NE(run.output.find("unknown host"), std::string::npos) << run.output;

    run = runDpflow("pacs echo --peer CLINICAL-127.0.0.1-104 --peers /nonexistent/peers.json");
    EXPECT_EQ(run.status, 2) << run.output;  // usage
}

TEST_F(PacsAgainstOrthanc, FindListsExactlyTheSeededStudiesAndTheAuditKeepsOnlyKeyNames) {
    PacsConnection connection(clinical_->peer(), "DPFLOW", PacsService::query_retrieve);
    std::set<std::string> found;
    for (const auto& match : connection.find(QueryLevel::study, {})) found.insert(match.at("StudyInstanceUID"));
    EXPECT_EQ(found, study_->study_uids);
    std::set<std::string> in_orthanc;
    for (const auto& id : clinical_->rest("/studies")) {
        in_orthanc.insert(clinical_->rest("/studies/" + id.get<std::string>()).at("MainDicomTags").at("StudyInstanceUID").get<std::string>());
    }
    EXPECT_EQ(found, in_orthanc);
    EXPECT_EQ(connection.find(QueryLevel::image, {}).size(), study_->sop_uids.size());

    const auto one = connection.find(QueryLevel::study, {});
    const std::string patient = one.front().at("PatientID");
    const fs::path dir = freshDir("find");
    const auto run = runDpflow("pacs find --peer " + clinical_->peer().describe() + " --level study --key PatientID=" + patient +
                               " --audit " + (dir / "audit.jsonl").string());
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("1 match(es) at study level"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("PatientID=" + patient), std::string::npos);  // PHI on the terminal only
    const std::string audit = readText(dir / "audit.jsonl");
    EXPECT_NE(audit.find("\"PatientID\""), std::string::npos) << audit;
    EXPECT_EQ(audit.find(patient), std::string::npos) << "the audit trail holds the key's value: " << audit;
}

TEST_F(PacsAgainstOrthanc, GetBringsEveryInstanceBitIdenticalIntoAPrivateCacheAndFetchesNothingTwice) {
    const fs::path dir = freshDir("get");
    RetrieveOptions options;
    options.peer = clinical_->peer();
    options.cache_dir = dir / "cache";
    std::size_t progress_calls = 0;
    options.on_instance = [&](const RetrieveProgress&) { ++progress_calls; };
    const RetrieveSummary first = retrieveToCache(options);
    EXPECT_EQ(first.studies, 3u);
    EXPECT_EQ(first.counts.total, 6u);
    EXPECT_EQ(first.counts.fetched, 6u);
    EXPECT_TRUE(first.failures.empty());
    EXPECT_EQ(progress_calls, 6u);

    const PacsCache cache(options.cache_dir);
    std::set<std::string> cached;
    for (const auto& file : cache.instanceFiles()) {
        const std::string sop = file.stem().string();
        cached.insert(sop);
        ASSERT_EQ(study_->pixel_hash_by_sop.count(sop), 1u) << file;
        EXPECT_EQ(test::pixelDataHash(file), study_->pixel_hash_by_sop.at(sop)) << file;
        struct stat info {};
        ::stat(file.c_str(), &info);
        EXPECT_EQ(info.st_mode & 0777, 0600u) << file;
    }
    EXPECT_EQ(cached, study_->sop_uids);

    const RetrieveSummary again = retrieveToCache(options);
    EXPECT_EQ(again.counts.fetched, 0u);
    EXPECT_EQ(again.counts.already_cached, 6u);

    // The manifest the rest of the product reads, with the labels joined back by SOP instance UID.
    const auto summary = writeCacheManifest(cache, readLabelTable(study_->manifest, LabelJoin::sop, {"sex", "view", "age"}));
    EXPECT_EQ(summary.labelled, 6u);
    struct stat manifest_info {};
    ::stat(cache.manifestPath().c_str(), &manifest_info);
    EXPECT_EQ(manifest_info.st_mode & 0777, 0600u);
    const Manifest manifest = Manifest::read(cache.manifestPath());
    for (std::size_t row = 0; row < manifest.size(); ++row) {
        EXPECT_EQ(manifest.value(row, "pathology"), study_->label_by_sop.at(manifest.value(row, "sop_instance_uid")));
        EXPECT_TRUE(manifest.value(row, "sex") == "M" || manifest.value(row, "sex") == "F");
        EXPECT_TRUE(fs::is_regular_file(manifest.file(row)));
    }
}

TEST_F(PacsAgainstOrthanc, ACompressedInstanceComesBackInItsOwnTransferSyntaxWithTheSamePixels) {
    const fs::path dir = freshDir("compressed");
    // A JPEG-LS lossless copy of one phantom film, stored as such in its own PACS.
    const fs::path compressed = dir / "jpegls.dcm";
    const auto made = test::runCommand("dcmcjpls " + study_->files.front().string() + " " + compressed.string());
    ASSERT_EQ(made.status, 0) << made.output;
    const StorageSyntax syntax = storageSyntaxOf(compressed);
    ASSERT_EQ(syntax.transfer_syntax_uid, "1.2.840.10008.1.2.4.80");
    OrthancServer server("LOSSLESS", dir / "server");
    {
        PacsConnection connection(server.peer(), "SEEDER", PacsService::storage, {syntax});
        ASSERT_TRUE(connection.store(compressed).ok);
    }
    RetrieveOptions options;
    options.peer = server.peer();
    options.cache_dir = dir / "cache";
    const RetrieveSummary summary = retrieveToCache(options);
    ASSERT_EQ(summary.counts.fetched, 1u);
    const auto files = PacsCache(options.cache_dir).instanceFiles();
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(storageSyntaxOf(files.front()).transfer_syntax_uid, syntax.transfer_syntax_uid);  // not transcoded
    EXPECT_EQ(readImage(files.front()).pixels, readImage(study_->files.front()).pixels);
}

TEST_F(PacsAgainstOrthanc, AnInstanceWithoutItsLabelRowIsListedNotGuessed) {
    const fs::path dir = freshDir("labels");
    const Manifest source = Manifest::read(study_->manifest);
    // Labels for the first film's study only, by accession: its other film shares the accession.
    std::ofstream(dir / "labels.csv") << "accession_number,pathology\n" << source.value(0, "accession_number") << ",effusion\n";
    const auto run = runDpflow("pacs get --peer " + clinical_->peer().describe() + " --out " + (dir / "cache").string() +
                               " --labels " + (dir / "labels.csv").string() + " --join accession --audit " +
                               (dir / "audit.jsonl").string());
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("6 instance(s), 2 labelled, 4 without a label row"), std::string::npos) << run.output;
    std::size_t unlabelled_lines = 0;
    for (std::size_t at = 0; (at = run.output.find("unlabelled: ", at)) != std::string::npos; ++at) ++unlabelled_lines;
    EXPECT_EQ(unlabelled_lines, 4u);
    const Manifest cached = Manifest::read(dir / "cache" / "manifest.csv");
    for (std::size_t row = 0; row < cached.size(); ++row) {
        const bool first_study = cached.value(row, "accession_number") == source.value(0, "accession_number");
        EXPECT_EQ(cached.value(row, "pathology"), first_study ? "effusion" : "");
    }
}

TEST_F(PacsAgainstOrthanc, ServerStoppedMidRetrieveKeepsWhatIsWholeAndTheRerunFetchesOnlyTheRest) {
    const fs::path dir = freshDir("stopped-retrieve");
    OrthancServer server("CLINICAL2", dir / "server");
    seed(server, *study_);
    RetrieveOptions options;
    options.peer = server.peer();
    options.cache_dir = dir / "cache";
    options.on_instance = [&](const RetrieveProgress& p) {
        if (p.fetched == 2) server.kill();  // deterministic: right after the second instance
    };
    const RetrieveSummary stopped = retrieveToCache(options);
    EXPECT_EQ(stopped.counts.fetched, 2u);
    EXPECT_FALSE(stopped.broke_off.empty());
    EXPECT_EQ(stopped.failures.size(), 4u);
    const PacsCache cache(options.cache_dir);
    EXPECT_EQ(cache.instanceFiles().size(), 2u);
    for (const auto& entry : fs::recursive_directory_iterator(options.cache_dir)) {
        EXPECT_EQ(entry.path().filename().string().find(".partial"), std::string::npos) << entry.path();
    }

    // The command line says so and exits 1 while the server is down.
    const auto down = runDpflow("pacs get --peer " + server.peer().describe() + " --out " + options.cache_dir.string() +
                                " --audit " + (dir / "audit.jsonl").string());
    EXPECT_EQ(down.status, 1) << down.output;
    EXPECT_NE(down.output.find("no association"), std::string::npos) << down.output;

    server.start();
    options.on_instance = nullptr;
    const RetrieveSummary resumed = retrieveToCache(options);
    EXPECT_EQ(resumed.counts.fetched, 4u);
    EXPECT_EQ(resumed.counts.already_cached, 2u);
    EXPECT_TRUE(resumed.failures.empty());
    std::set<std::string> cached;
    for (const auto& file : cache.instanceFiles()) {
        cached.insert(file.stem().string());
        EXPECT_EQ(test::pixelDataHash(file), study_->pixel_hash_by_sop.at(file.stem().string()));
    }
    EXPECT_EQ(cached, study_->sop_uids);
    EXPECT_EQ(cache.instanceFiles().size(), 6u);
}

TEST_F(PacsAgainstOrthanc, ACancelledRetrieveStopsBetweenTwoInstancesAndTheRerunCompletesIt) {
    const fs::path dir = freshDir("cancelled");
    std::atomic<bool> cancel{false};
    RetrieveOptions options;
    options.peer = clinical_->peer();
    options.cache_dir = dir / "cache";
    options.cancel = &cancel;
    options.on_instance = [&](const RetrieveProgress& p) {
        if (p.fetched == 2) cancel = true;  // as Ctrl-C does
    };
    const RetrieveSummary cancelled = retrieveToCache(options);
    EXPECT_TRUE(cancelled.cancelled);
    EXPECT_TRUE(cancelled.broke_off.empty());
    EXPECT_EQ(cancelled.counts.fetched, 2u);
    ASSERT_EQ(cancelled.failures.size(), 4u);
    EXPECT_EQ(cancelled.failures.front().reason, "not retrieved: cancelled");
    EXPECT_EQ(PacsCache(options.cache_dir).instanceFiles().size(), 2u);

    cancel = false;
    options.on_instance = nullptr;
    const RetrieveSummary rest = retrieveToCache(options);
    EXPECT_EQ(rest.counts.fetched, 4u);
    EXPECT_EQ(rest.counts.already_cached, 2u);
    EXPECT_FALSE(rest.cancelled);
}

TEST_F(PacsAgainstOrthanc, AQueryThatMatchesNothingRetrievesNothingAndSaysSo) {
    const fs::path dir = freshDir("nothing");
    const auto run = runDpflow("pacs get --peer " + clinical_->peer().describe() + " --key PatientID=NOBODY --out " +
                               (dir / "cache").string() + " --audit " + (dir / "audit.jsonl").string());
    EXPECT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("0 study(ies), 0 instance(s)"), std::string::npos) << run.output;
    EXPECT_EQ(Manifest::read(dir / "cache" / "manifest.csv").size(), 0u);
}

// A release of the retrieved films: find, get, release and push, as a privacy officer runs them.
TEST_F(PacsAgainstOrthanc, AReleasePushedToResearchArrivesWholeWithoutPhiOrSourceUids) {
    const fs::path dir = freshDir("push");
    OrthancServer research("RESEARCH", dir / "research");
    const std::string audit = " --audit " + (dir / "pacs-audit.jsonl").string();
    auto run = runDpflow("pacs get --peer " + clinical_->peer().describe() + " --out " + (dir / "cache").string() + " --labels " +
                         study_->manifest.string() + " --join sop" + audit);
    ASSERT_EQ(run.status, 0) << run.output;
    const std::string release = "release --input " + (dir / "cache" / "manifest.csv").string() + " --model " + phantomModel() +
                                " --epsilon 1e5 --keep pathology,sex,view --format dcm --out " + (dir / "release").string() +
                                " --push " + research.peer().describe();
    EXPECT_EQ(research.instanceCount(), 0);
    run = runDpflow(release);
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("6 of 6 instance(s) delivered now"), std::string::npos) << run.output;
    EXPECT_EQ(research.instanceCount(), 6);

    std::set<std::string> source_uids = study_->sop_uids;
    source_uids.insert(study_->study_uids.begin(), study_->study_uids.end());
    source_uids.insert(study_->series_uids.begin(), study_->series_uids.end());
    ASSERT_EQ(source_uids.size(), 6u + 3u + 6u);
    std::set<std::string> released_pixels, archived_pixels;
    for (const auto& entry : fs::directory_iterator(dir / "release" / "images")) {
        if (entry.path().extension() == ".dcm") released_pixels.insert(test::pixelDataHash(entry.path()));
    }
    for (const auto& id : research.rest("/instances")) {
        std::ofstream(dir / "archived.dcm", std::ios::binary) << research.restRaw("/instances/" + id.get<std::string>() + "/file");
        archived_pixels.insert(test::pixelDataHash(dir / "archived.dcm"));
    }
    EXPECT_EQ(released_pixels.size(), 6u);
    EXPECT_EQ(archived_pixels, released_pixels);  // stored as certified, not transcoded
    for (const auto& id : research.rest("/instances")) {
        const auto tags = research.rest("/instances/" + id.get<std::string>() + "/simplified-tags");
        for (const char* phi : {"PatientName", "PatientID", "PatientBirthDate", "AccessionNumber", "InstitutionName",
                                "ReferringPhysicianName", "PatientAddress", "StudyID"}) {
            EXPECT_TRUE(!tags.contains(phi) || tags.at(phi).get<std::string>().empty()) << phi << " = " << tags.at(phi);
        }
        for (const char* uid : {"SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID"}) {
            EXPECT_EQ(source_uids.count(tags.at(uid).get<std::string>()), 0u) << uid << " is a source UID";
        }
    }
    std::size_t pushed = 0;
    for (const auto& line : readJsonLines(dir / "release" / "audit.jsonl")) pushed += line.value("event", "") == "pushed";
    EXPECT_EQ(pushed, 6u);

    run = runDpflow(release);  // nothing left to deliver
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("0 of 6 instance(s) delivered now, 6 delivered before"), std::string::npos) << run.output;
    EXPECT_EQ(research.instanceCount(), 6);
}

TEST_F(PacsAgainstOrthanc, ServerStoppedMidPushIsNeverReportedAsDeliveredAndTheRerunSendsTheRest) {
    const fs::path dir = freshDir("stopped-push");
    auto run = runDpflow("release --input " + study_->manifest.string() + " --model " + phantomModel() +
                         " --epsilon 1e5 --keep pathology,sex,view --format dcm --out " + (dir / "release").string());
    ASSERT_EQ(run.status, 0) << run.output;
    OrthancServer research("RESEARCH2", dir / "research");
    PushOptions options;
    options.peer = research.peer();
    options.on_instance = [&](const PushProgress& p) {
        if (p.delivered == 2) research.kill();
    };
    const PushSummary stopped = pushRelease(dir / "release", options);
    EXPECT_EQ(stopped.delivered_now, 2u);
    EXPECT_EQ(stopped.failures.size(), 4u);
    research.start();
    EXPECT_EQ(research.instanceCount(), 2);  // exactly what was reported delivered

    options.on_instance = nullptr;
    const PushSummary resumed = pushRelease(dir / "release", options);
    EXPECT_EQ(resumed.delivered_before, 2u);
    EXPECT_EQ(resumed.delivered_now, 4u);
    EXPECT_TRUE(resumed.failures.empty());
    EXPECT_EQ(research.instanceCount(), 6);
    std::size_t pushed = 0, failed = 0;
    for (const auto& line : readJsonLines(dir / "release" / "audit.jsonl")) {
        pushed += line.value("event", "") == "pushed";
        failed += line.value("event", "") == "push_failed";
    }
    EXPECT_EQ(pushed, 6u);
    EXPECT_EQ(failed, 4u);
}

TEST_F(PacsAgainstOrthanc, PurgeRemovesTheCacheAndRecordsItWithoutPhi) {
    const fs::path dir = freshDir("purge");
    const std::string audit = " --audit " + (dir / "audit.jsonl").string();
    auto run = runDpflow("pacs get --peer " + clinical_->peer().describe() + " --out " + (dir / "cache").string() + audit);
    ASSERT_EQ(run.status, 0) << run.output;
    fs::create_symlink(dir / "cache", dir / "link-to-cache");
    run = runDpflow("pacs purge --out " + (dir / "link-to-cache").string() + audit);  // the cache goes, not just the link
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("6 instance file(s) removed"), std::string::npos) << run.output;
    EXPECT_FALSE(fs::exists(dir / "cache"));
    const auto lines = readJsonLines(dir / "audit.jsonl");
    ASSERT_EQ(lines.size(), 2u);
    struct stat audit_info {};
    ::stat((dir / "audit.jsonl").c_str(), &audit_info);
    EXPECT_EQ(audit_info.st_mode & 0777, 0600u);
    EXPECT_EQ(lines[1].at("event"), "purge");
    for (const auto& uid : study_->sop_uids) EXPECT_EQ(readText(dir / "audit.jsonl").find(uid), std::string::npos);
}

}  // namespace
}  // namespace dpflow
