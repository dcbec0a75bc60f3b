#include "release/release_merge.h"

#include "flow/json_numbers.h"

#include "release/audit_trail.h"
#include "release/durable_files.h"
#include "release/release_certificate.h"
#include "release/release_layout.h"

#include <fmt/format.h>

#include <fstream>
#include <set>
#include <stdexcept>

namespace dpflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The fields finalizeCertificate adds; the rest is common to every shard of a release.
const char* const kPerShardFields[] = {"format", "version", "created_utc", "shards", "counts", "epsilon_per_image_max",
                                       "images", "release_manifest", "ethics_statement", "certificate_sha256"};

json readCertificate(const fs::path& folder) {
    std::ifstream in(folder / release_layout::kCertificate);
    return json::parse(in);
}

void appendLines(const fs::path& from, const fs::path& to) {
    for (const auto& line : readJsonLines(from)) appendJsonLine(to, line);
}

}  // namespace

json mergeReleases(const std::vector<fs::path>& shard_folders, const fs::path& out, std::ostream& log) {
    if (shard_folders.empty()) throw std::invalid_argument("give the shard folders to merge");
    if (fs::exists(out / release_layout::kCertificate) || fs::exists(out / release_layout::kState))
        throw std::invalid_argument(out.string() + " already holds a release; merge into an empty folder");
    std::vector<json> certificates;
    for (const auto& folder : shard_folders) {
        const ReleaseVerification verification = verifyRelease(folder);
        if (!verification.ok())
            throw std::runtime_error(folder.string() + " does not verify (" + verification.problems.front() + "); not merged");
        certificates.push_back(readCertificate(folder));
    }
    json common = certificates.front();
    for (const char* field : kPerShardFields) common.erase(field);
    const std::string fingerprint = common.at("settings_fingerprint").get<std::string>();
    const ReleaseShard first = parseReleaseShard(certificates.front().at("shards").at(0).get<std::string>());
    std::set<int> indices;
    for (std::size_t i = 0; i < certificates.size(); ++i) {
        if (certificates[i].at("settings_fingerprint").get<std::string>() != fingerprint)
            throw std::invalid_argument(fmt::format("{} was released with other settings or another model than {} "
                                                    "(settings fingerprints differ); shards of one release must share them",
                                                    shard_folders[i].string(), shard_folders.front().string()));
        for (const auto& text : certificates[i].at("shards")) {
            const ReleaseShard shard = parseReleaseShard(text.get<std::string>());
            if (shard.count != first.count || !indices.insert(shard.index).second)
                throw std::invalid_argument(fmt::format("{} holds shard {}, which is repeated or not of {} shards",
                                                        shard_folders[i].string(), shard.text(), first.count));
        }
    }
    if (static_cast<int>(indices.size()) != first.count)
        throw std::invalid_argument(fmt::format("only {} of the {} shards were given; merge all of them", indices.size(), first.count));

    fs::create_directories(out / release_layout::kImages);
    fs::create_directories(out / release_layout::kRecords);
    ReleaseFolderLock lock(out);
    std::vector<ReleasedItem> items;
    std::set<std::string> ids;
    int failed = 0;
    std::vector<ReleaseShard> shards;
    for (std::size_t i = 0; i < certificates.size(); ++i) {
        const json& c = certificates[i];
        failed += integerAt<int>(c.at("counts"), "failed");
        for (const auto& text : c.at("shards")) shards.push_back(parseReleaseShard(text.get<std::string>()));
        for (const auto& image : c.at("images")) {
            json plain = image;
            plain["files"] = json::array();
            for (const auto& file : image.at("files")) {
                const std::string name = file.at("path").get<std::string>();
                plain["files"].push_back(name);
                fs::copy_file(shard_folders[i] / name, out / name, fs::copy_options::overwrite_existing);
            }
            ReleasedItem item = releasedItemFromJson(plain);
            if (!ids.insert(item.id).second) throw std::invalid_argument("image id " + item.id + " appears in two shards");
            items.push_back(std::move(item));
        }
        appendLines(shard_folders[i] / release_layout::kLedger, out / release_layout::kLedger);
        appendLines(shard_folders[i] / release_layout::kAudit, out / release_layout::kAudit);
        log << fmt::format("shard {}: {} image(s) from {}\n", c.at("shards").at(0).get<std::string>(), c.at("images").size(),
                           shard_folders[i].string());
    }
    std::sort(shards.begin(), shards.end(), [](const ReleaseShard& a, const ReleaseShard& b) { return a.index < b.index; });
    writeReleaseManifest(out, items, common.at("attributes").at("disclosed").get<std::vector<std::string>>());
    json certificate = finalizeCertificate(common, items, failed, shards, out);
    writeFileAtomically(out / release_layout::kCertificate, certificate.dump(2) + "\n");
    appendAuditEvent(out / release_layout::kAudit, {{"event", "merged"}, {"shards", certificate.at("shards")},
                                                    {"images", items.size()},
                                                    {"certificate_sha256", certificate.at("certificate_sha256")}});
    log << fmt::format("merged {} shard(s): {} released, {} withheld, {} failed; certificate {}\n", shards.size(),
                       integerAt<int>(certificate.at("counts"), "released"), integerAt<int>(certificate.at("counts"), "withheld"),
                       failed, (out / release_layout::kCertificate).string());
    return certificate;
}

}  // namespace dpflow
