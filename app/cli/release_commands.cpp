#include "commands.h"
#include "peer_arguments.h"

#include "flow/runtime.h"
#include "pacs/release_push.h"
#include "release/release_certificate.h"
#include "release/release_layout.h"
#include "release/release_merge.h"
#include "release/release_runner.h"
#include "render/certificate_pdf.h"
#include "render/offscreen_gui.h"
#include "release_decision_options.h"

#include <fmt/format.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dpflow::cli {
namespace {

namespace fs = std::filesystem;

struct ReleaseArguments {
    std::string config;
    ReleaseSettings settings;  ///< flags given on the command line, applied over --config
    ReleaseDecisionOptions decision;
    double budget_limit = 0.0;
    std::string shard;
    std::vector<std::string> merge;
    std::string out;
    int threads = 0;
    std::size_t test_kill_after = 0;
    std::string push;  ///< research archive to C-STORE the released DICOMs to, after the certificate
    std::string peers_file = defaultPeersFile().string();
    std::string aet = kDefaultAeTitle;
};

// Sends the release to the research archive; returns the exit status it adds (1 when any
// instance was not delivered).
int pushToArchive(const fs::path& out, const PacsPeer& peer, const std::string& aet) {
    PushOptions options;
    options.peer = peer;
    options.our_ae_title = aet;
    options.on_instance = [](const PushProgress& p) {
        std::cerr << fmt::format("\rpush {}/{}: {} delivered, {} failed", p.done, p.to_push, p.delivered, p.failed) << std::flush;
    };
    const PushSummary summary = pushRelease(out, options);
    if (summary.delivered_now + summary.failures.size() > 0) std::cerr << '\n';
    for (const auto& failure : summary.failures) std::cout << "not delivered: " << failure.file << ": " << failure.reason << '\n';
    std::cout << fmt::format("push to {}: {} of {} instance(s) delivered now, {} delivered before, {} not delivered "
                             "(each recorded in {}/{})\n",
                             peer.describe(), summary.delivered_now, summary.instances, summary.delivered_before,
                             summary.failures.size(), out.string(), release_layout::kAudit);
    return summary.failures.empty() ? 0 : 1;
}

// The command line's flags over the configuration file's values: a flag given wins.
ReleaseSettings combinedSettings(const ReleaseArguments& a, const CLI::App& command) {
    ReleaseSettings s = a.config.empty() ? ReleaseSettings{} : readReleaseSettings(a.config);
    const ReleaseSettings& f = a.settings;
    auto given = [&](const char* flag) { return command.count(flag) > 0; };
    if (given("--input")) s.inputs = f.inputs;
    if (given("--attribute")) s.attributes = f.attributes;
    if (given("--model")) s.model = f.model;
    applyReleaseDecisionOptions(a.decision, command, s.decision);
    useAllocationBesideModelByDefault(s.decision, s.model);
    if (given("--format")) s.formats = f.formats;
    if (given("--purpose")) s.purpose = f.purpose;
    if (given("--evaluation")) s.evaluation = f.evaluation;
    if (given("--budget-limit")) s.budget_limit = a.budget_limit;
    if (given("--shard")) s.shard = parseReleaseShard(a.shard);
    return s;
}

void writePdfBeside(const nlohmann::json& certificate, const fs::path& out) {
    ensureOffscreenGui();
    const fs::path pdf = out / release_layout::kCertificatePdf;
    writeCertificatePdf(certificate, pdf);
    std::cerr << "certificate PDF " << pdf.string() << '\n';
}

void registerRelease(CLI::App& app, int& exit_code) {
    auto* command = app.add_subcommand(
        "release", "Release a dataset: privatize every image of a manifest or folder (fresh OS CSPRNG noise), write DICOM/PNG "
                   "under new ids, a release manifest, per-image records, an audit trail, the budget ledger and a certificate "
                   "(JSON + PDF). Resumes after an interruption; --shard i/N releases a slice, --merge joins the shards.");
    auto a = std::make_shared<ReleaseArguments>();
    ReleaseSettings& s = a->settings;
    command->add_option("--config", a->config, "release.json with the same settings (flags given here override it)")->check(CLI::ExistingFile);
    command->add_option("--input", s.inputs, "Manifest (.csv) or folder of PNG/DICOM (repeatable)");
    command->add_option("--model", s.model, "Flow weights (.safetensors)")->check(CLI::ExistingFile);
    addReleaseDecisionOptions(*command, a->decision);
    command->add_option("--attribute", s.attributes, "True value NAME=VALUE for inputs without a manifest column (repeatable)");
    command->add_option("--format", s.formats, "dcm (de-identified derived DICOM) and/or png, comma-separated (default dcm)")
        ->delimiter(',')->check(CLI::IsMember({"dcm", "png"}));
    command->add_option("--purpose", s.purpose, "What the data is released for (quoted in the certificate)");
    command->add_option("--evaluation", s.evaluation, "Sweep results CSV (dpflow sweep) quoted at this mechanism and eps")->check(CLI::ExistingFile);
    command->add_option("--budget-limit", a->budget_limit, "Per-image eps_total beyond which the ledger warns")->check(CLI::PositiveNumber);
    command->add_option("--shard", a->shard, "Release only the deterministic slice i of N (e.g. 0/4)");
    command->add_option("--merge", a->merge, "Merge this shard folder into --out instead of releasing (repeat for each shard)")->check(CLI::ExistingDirectory);
    command->add_option("--out", a->out, "Release folder (created; an interrupted release there is resumed)")->required();
    command->add_option("--threads", a->threads, "CPU threads (0: automatic)");
    command->add_option("--push", a->push, "After the certificate, C-STORE the released DICOMs to this research archive "
                                           "(AET@HOST:PORT or a peers-file name); a re-run pushes only what was not delivered");
    command->add_option("--peers", a->peers_file, "Peers file for --push")->capture_default_str();
    command->add_option("--aet", a->aet, "Our AE title for --push")->capture_default_str();
    command->add_option("--test-kill-after", a->test_kill_after, "Tests only: SIGKILL this process after N ledger commits")->group("");
    command->callback([a, command, &exit_code] {
        const fs::path out = a->out;
        std::optional<PacsPeer> push_peer;
        if (!a->push.empty()) push_peer = resolvePeerArgument(a->push, a->peers_file, a->aet, "--push");
        if (!a->merge.empty()) {
            std::vector<fs::path> folders(a->merge.begin(), a->merge.end());
            nlohmann::json certificate;
            try {
                certificate = mergeReleases(folders, out, std::cerr);
            } catch (const std::invalid_argument& e) {
                throw CLI::ValidationError("--merge", e.what());
            }
            writePdfBeside(certificate, out);
            exit_code = certificate.at("counts").at("failed").get<int>() == 0 ? 0 : 1;
            if (push_peer) exit_code = std::max(exit_code, pushToArchive(out, *push_peer, a->aet));
            return;
        }
        configureThreads(a->threads);
        ReleaseSettings settings;
        try {
            settings = combinedSettings(*a, *command);
            validateReleaseSettings(settings);
        } catch (const std::invalid_argument& e) {
            throw CLI::ValidationError("release", e.what());
        }
        ReleaseRunOptions options;
        options.software_version = DPFLOW_VERSION;
        if (a->test_kill_after > 0)
            options.after_ledger_append = [limit = a->test_kill_after](std::size_t committed) {
                if (committed >= limit) ::kill(::getpid(), SIGKILL);
            };
        ReleaseRunResult result;
        try {
            result = runRelease(settings, out, options, std::cerr);
        } catch (const std::invalid_argument& e) {
            throw CLI::ValidationError("release", e.what());
        }
        writePdfBeside(result.certificate, out);
        const auto& counts = result.certificate.at("counts");
        std::cout << fmt::format("release {}: {} released, {} withheld, {} failed; eps per image {}; certificate {}\n",
                                 out.string(), counts.at("released").get<int>(), counts.at("withheld").get<int>(),
                                 counts.at("failed").get<int>(),
                                 result.certificate.at("accounting").at("epsilon").at("parts").get<std::string>(),
                                 result.certificate.at("certificate_sha256").get<std::string>());
        exit_code = counts.at("failed").get<int>() == 0 ? 0 : 1;
        if (push_peer) exit_code = std::max(exit_code, pushToArchive(out, *push_peer, a->aet));
    });
}

void registerVerifyRelease(CLI::App& app, int& exit_code) {
    auto* command = app.add_subcommand("verify-release", "Re-check a release folder: every file's SHA-256 against the certificate, "
                                                         "the certificate's own digest, the release manifest and the counts.");
    auto folder = std::make_shared<std::string>();
    command->add_option("folder", *folder, "Release folder")->required()->check(CLI::ExistingDirectory);
    command->callback([folder, &exit_code] {
        const ReleaseVerification verification = verifyRelease(*folder);
        for (const auto& problem : verification.problems) std::cout << "FAILED: " << problem << '\n';
        if (verification.ok())
            std::cout << fmt::format("OK: {} files match the certificate of {}\n", verification.files_checked, *folder);
        else
            std::cout << fmt::format("{} problem(s) in {}\n", verification.problems.size(), *folder);
        exit_code = verification.ok() ? 0 : 1;
    });
}

}  // namespace

void registerReleaseCommands(CLI::App& app, int& exit_code) {
    registerRelease(app, exit_code);
    registerVerifyRelease(app, exit_code);
}

}  // namespace dpflow::cli
