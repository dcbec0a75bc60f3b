#include "commands.h"
#include "peer_arguments.h"

#include "pacs/cache_manifest.h"
#include "pacs/pacs_audit.h"
#include "pacs/pacs_cache.h"
#include "pacs/pacs_connection.h"
#include "pacs/pacs_retrieve.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <signal.h>
#include <iostream>
#include <memory>

namespace dpflow::cli {
namespace fs = std::filesystem;
namespace {

// What every `dpflow pacs` subcommand takes to reach a peer.
struct PeerArguments {
    std::string peer;
    std::string aet = kDefaultAeTitle;
    std::string peers_file = defaultPeersFile().string();
    std::string audit_file = defaultPacsAuditFile().string();

    PacsPeer resolved() const { return resolvePeerArgument(peer, peers_file, aet, "--peer"); }
};

void addPeerOptions(CLI::App& command, PeerArguments& a, bool audited) {
    command.add_option("--peer", a.peer, "The PACS: AET@HOST:PORT, or a name from the peers file")->required();
    command.add_option("--aet", a.aet, "Our own AE title (calling AE title)")->capture_default_str();
    command.add_option("--peers", a.peers_file, "Peers file: JSON object from names to AET@HOST:PORT")->capture_default_str();
    if (audited) {
        command.add_option("--audit", a.audit_file, "PACS audit trail (JSON lines; keys' names and counts, never their values)")
            ->capture_default_str();
    }
}

std::vector<QueryKey> parseKeys(const std::vector<std::string>& texts) {
    std::vector<QueryKey> keys;
    try {
        for (const auto& text : texts) keys.push_back(parseQueryKey(text));
    } catch (const std::invalid_argument& e) {
        throw CLI::ValidationError("--key", e.what());
    }
    return keys;
}

std::atomic<bool> g_cancel_retrieve{false};
extern "C" void cancelRetrieve(int) { g_cancel_retrieve = true; }

void registerEcho(CLI::App& pacs, int& exit_code) {
    auto* command = pacs.add_subcommand("echo", "C-ECHO: check that the peer answers and accepts our AE title.");
    auto a = std::make_shared<PeerArguments>();
    addPeerOptions(*command, *a, false);
    command->callback([a, &exit_code] {
        const PacsPeer peer = a->resolved();
        const auto start = std::chrono::steady_clock::now();
        PacsConnection connection(peer, a->aet, PacsService::verification);
        connection.echo();
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        std::cout << fmt::format("C-ECHO {} as {}: success in {:.0f} ms\n", peer.describe(), a->aet, ms);
        exit_code = 0;
    });
}

void registerFind(CLI::App& pacs, int& exit_code) {
    auto* command = pacs.add_subcommand("find", "C-FIND: one line per match (PHI goes to this terminal only; the audit trail "
                                                "records the keys' names and the count).");
    auto a = std::make_shared<PeerArguments>();
    auto level = std::make_shared<std::string>("study");
    auto keys = std::make_shared<std::vector<std::string>>();
    addPeerOptions(*command, *a, true);
    command->add_option("--level", *level, "Query level")->check(CLI::IsMember({"patient", "study", "series", "image"}))->capture_default_str();
    command->add_option("--key", *keys, "Matching key KEYWORD=VALUE (repeatable), e.g. PatientID=PX1, StudyDate=20240101-20241231");
    command->callback([a, level, keys, &exit_code] {
        const PacsPeer peer = a->resolved();
        const auto query_keys = parseKeys(*keys);
        const QueryLevel query_level = parseQueryLevel(*level);
        std::vector<QueryMatch> matches;
        try {
            PacsConnection connection(peer, a->aet, PacsService::query_retrieve);
            matches = connection.find(query_level, query_keys);
        } catch (...) {
            recordPacsEvent(a->audit_file, {{"event", "find_failed"}, {"peer", peer.describe()}, {"level", *level},
                                            {"keys", keywordNames(query_keys)}});
            throw;
        }
        for (const auto& match : matches) {
            std::string line;
            for (const auto& keyword : returnedKeywords(query_level)) {
                const auto it = match.find(keyword);
                if (it != match.end()) line += (line.empty() ? "" : "  ") + keyword + "=" + it->second;
            }
            std::cout << line << '\n';
        }
        std::cerr << fmt::format("{} match(es) at {} level from {}\n", matches.size(), *level, peer.describe());
        recordPacsEvent(a->audit_file, {{"event", "find"}, {"peer", peer.describe()}, {"level", *level},
                                        {"keys", keywordNames(query_keys)}, {"matches", matches.size()}});
        exit_code = 0;
    });
}

void registerGet(CLI::App& pacs, int& exit_code) {
    auto* command = pacs.add_subcommand(
        "get", "C-GET every instance of the matching studies into a private cache folder (study/series/instance) with a "
               "manifest.csv the rest of the product reads; instances already there are not fetched again; Ctrl-C stops "
               "between two instances, keeping what is complete.");
    auto a = std::make_shared<PeerArguments>();
    auto keys = std::make_shared<std::vector<std::string>>();
    auto labels = std::make_shared<std::string>();
    auto join = std::make_shared<std::string>("accession");
    auto out = std::make_shared<std::string>();
    addPeerOptions(*command, *a, true);
    command->add_option("--key", *keys, "Study-level matching key KEYWORD=VALUE (repeatable)");
    command->add_option("--labels", *labels, "CSV with values the PACS does not hold (e.g. label), joined to the instances")->check(CLI::ExistingFile);
    command->add_option("--join", *join, "Column joining --labels: accession (accession_number), study (study_instance_uid), "
                                         "sop (sop_instance_uid)")
        ->check(CLI::IsMember({"accession", "study", "sop"}))->capture_default_str();
    command->add_option("--out", *out, "Cache folder (created 0700; it holds PHI)")->required();
    command->callback([a, keys, labels, join, out, &exit_code] {
        RetrieveOptions options;
        options.peer = a->resolved();
        options.our_ae_title = a->aet;
        options.keys = parseKeys(*keys);
        options.cache_dir = fs::absolute(*out);
        std::optional<LabelTable> label_table;
        if (!labels->empty()) {
            try {
                label_table = readLabelTable(*labels, parseLabelJoin(*join), {"sex", "view", "age"});
            } catch (const std::invalid_argument& e) {
                throw CLI::ValidationError("--labels", e.what());
            }
        }
        options.on_instance = [](const RetrieveProgress& p) {
            std::cerr << fmt::format("\rinstance {}/{}: {} fetched, {} already cached, {} failed", p.done, p.total, p.fetched,
                                     p.already_cached, p.failed)
                      << std::flush;
        };
        g_cancel_retrieve = false;
        options.cancel = &g_cancel_retrieve;
        // The first Ctrl-C stops between two instances; a second one ends the process at once.
        struct sigaction cancel_action {}, previous {};
        cancel_action.sa_handler = cancelRetrieve;
        cancel_action.sa_flags = SA_RESETHAND;
        sigemptyset(&cancel_action.sa_mask);
        ::sigaction(SIGINT, &cancel_action, &previous);
        RetrieveSummary summary;
        try {
            summary = retrieveToCache(options);
        } catch (...) {
            ::sigaction(SIGINT, &previous, nullptr);
            recordPacsEvent(a->audit_file, {{"event", "get_failed"}, {"peer", options.peer.describe()},
                                            {"keys", keywordNames(options.keys)}, {"cache", options.cache_dir.string()}});
            throw;
        }
        ::sigaction(SIGINT, &previous, nullptr);
        if (summary.counts.done > 0) std::cerr << '\n';
        const PacsCache cache(options.cache_dir);
        const CacheManifestSummary manifest = writeCacheManifest(cache, label_table);
        for (const auto& failure : summary.failures) std::cout << "failed: " << failure.sop_instance_uid << ": " << failure.reason << '\n';
        if (!summary.broke_off.empty()) std::cout << "stopped: " << summary.broke_off << " (re-run to fetch the rest)\n";
        if (summary.cancelled) std::cout << "stopped: cancelled (re-run to fetch the rest)\n";
        for (const auto& u : manifest.unlabelled) std::cout << "unlabelled: " << u.file << ": " << u.reason << '\n';
        const auto& c = summary.counts;
        std::cout << fmt::format("{} study(ies), {} instance(s) from {}: {} fetched, {} already cached, {} failed{}\n",
                                 summary.studies, c.total, options.peer.describe(), c.fetched, c.already_cached, c.failed,
                                 summary.skipped > 0 ? fmt::format(" ({} of other SOP classes than radiographs skipped)", summary.skipped)
                                                     : "");
        std::cout << fmt::format("cache {} holds PHI (folders 0700, files 0600); remove it with `dpflow pacs purge --out {}`\n",
                                 cache.root().string(), cache.root().string());
        std::cout << fmt::format("manifest {}: {} instance(s){}\n", cache.manifestPath().string(), manifest.instances,
                                 label_table ? fmt::format(", {} labelled, {} without a label row", manifest.labelled,
                                                           manifest.unlabelled.size())
                                             : "");
        recordPacsEvent(a->audit_file, {{"event", "get"}, {"peer", options.peer.describe()}, {"keys", keywordNames(options.keys)},
                                        {"studies", summary.studies}, {"instances", c.total}, {"fetched", c.fetched},
                                        {"already_cached", c.already_cached}, {"failed", c.failed}, {"skipped", summary.skipped},
                                        {"cancelled", summary.cancelled}, {"cache", cache.root().string()}});
        exit_code = c.failed == 0 ? 0 : 1;
    });
}

void registerPurge(CLI::App& pacs, int& exit_code) {
    auto* command = pacs.add_subcommand("purge", "Delete a PACS cache folder and everything in it (only a folder `pacs get` made).");
    auto out = std::make_shared<std::string>();
    auto audit_file = std::make_shared<std::string>(defaultPacsAuditFile().string());
    command->add_option("--out", *out, "Cache folder")->required()->check(CLI::ExistingDirectory);
    command->add_option("--audit", *audit_file, "PACS audit trail")->capture_default_str();
    command->callback([out, audit_file, &exit_code] {
        const fs::path root = fs::absolute(*out);
        const std::size_t removed = purgePacsCache(root);
        std::cout << fmt::format("purged {}: {} instance file(s) removed\n", root.string(), removed);
        recordPacsEvent(*audit_file, {{"event", "purge"}, {"cache", root.string()}, {"instances", removed}});
        exit_code = 0;
    });
}

}  // namespace

void registerPacsCommands(CLI::App& app, int& exit_code) {
    auto* pacs = app.add_subcommand("pacs", "Hospital archive: C-ECHO, C-FIND and C-GET against a PACS (DCMTK dcmnet); purge the cache.");
    pacs->require_subcommand(1);
    registerEcho(*pacs, exit_code);
    registerFind(*pacs, exit_code);
    registerGet(*pacs, exit_code);
    registerPurge(*pacs, exit_code);
}

}  // namespace dpflow::cli
