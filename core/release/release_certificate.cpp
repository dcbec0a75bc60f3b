#include "release/release_certificate.h"

#include "flow/json_numbers.h"

#include "eval/sweep_summary.h"
#include "image/manifest.h"
#include "image/sha256.h"
#include "privacy/release_accounting.h"
#include "privacy/utc_time.h"
#include "release/durable_files.h"
#include "release/release_layout.h"

#include <fmt/format.h>

#include <fstream>
#include <set>
#include <stdexcept>

namespace dpflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string joinWords(const std::vector<std::string>& words) {
    if (words.empty()) return "none";
    std::string text;
    for (std::size_t i = 0; i < words.size(); ++i) text += (i == 0 ? "" : i + 1 == words.size() ? " and " : ", ") + words[i];
    return text;
}

std::string number(double value) {
    return fmt::format("{:.6g}", value);
}

}  // namespace

std::string certificateDigest(const json& certificate) {
    json copy = certificate;
    copy.erase("certificate_sha256");
    const std::string text = copy.dump();
    return sha256Hex(text.data(), text.size());
}

json finalizeCertificate(json c, const std::vector<ReleasedItem>& items, int failed, const std::vector<ReleaseShard>& shards,
                         const fs::path& folder) {
    json images = json::array();
    int released = 0, withheld = 0;
    double max_epsilon = 0.0;
    for (const auto& item : items) {
        json entry = releasedItemToJson(item, false);
        json files = json::array();
        for (const auto& file : item.files)
            files.push_back({{"path", file}, {"sha256", sha256OfFile(folder / file)}, {"bytes", fs::file_size(folder / file)}});
        entry["files"] = files;
        images.push_back(entry);
        (item.withheld ? withheld : released) += 1;
        max_epsilon = std::max(max_epsilon, item.epsilon_total);
    }
    c["format"] = "dpflow-release-certificate";
    c["version"] = 1;
    c["created_utc"] = currentUtcTimestamp();
    c["shards"] = json::array();
    for (const auto& shard : shards) c["shards"].push_back(shard.text());
    c["counts"] = {{"released", released}, {"withheld", withheld}, {"failed", failed}, {"images_listed", items.size()}};
    c["epsilon_per_image_max"] = max_epsilon;
    c["images"] = images;
    c["release_manifest"] = {{"path", release_layout::kManifest},
                             {"sha256", sha256OfFile(folder / release_layout::kManifest)}};
    c["ethics_statement"] = ethicsStatement(c);
    c["certificate_sha256"] = certificateDigest(c);
    return c;
}

std::string ethicsStatement(const json& c) {
    const json& counts = c.at("counts");
    const json& acc = c.at("accounting");
    std::string text = fmt::format(
        "This release contains {} privatized image(s) made by DP-Flow Studio {} for the stated purpose: \"{}\". ",
        integerAt<int>(counts, "released"), c.at("software").at("version").get<std::string>(),
        c.at("purpose").get<std::string>().empty() ? "(no purpose was stated)" : c.at("purpose").get<std::string>());
    text += fmt::format(
        "Each image was re-drawn by the mechanism '{}' with fresh random noise from the operating system's secure "
        "generator; the privacy budget spent on each source image is epsilon = {} ({}). ",
        acc.at("mechanism").get<std::string>(), number(acc.at("epsilon").at("total").get<double>()),
        acc.at("epsilon").at("parts").get<std::string>());
    if (const auto allocation = acc.find("allocation"); allocation != acc.end()) {
        int prior = 0;
        for (const auto& group : allocation->at("groups")) prior += group.value("drawn_from_prior", false) ? 1 : 0;
        text += fmt::format("The latent budget was split over {} groups of latent coordinates by the allocation {} (SHA-256 {}), "
                            "computed from public data only ({}); epsilon is exactly the sum of the groups' shares, and {} "
                            "group(s) were drawn from the prior, independently of the image. ",
                            allocation->at("groups").size(), allocation->at("file").get<std::string>(),
                            allocation->at("sha256").get<std::string>(), allocation->at("public_data").get<std::string>(), prior);
    }
    text += "Epsilon bounds how much any single patient's image can change what is released: smaller is stronger. ";
    if (const double epsilon = acc.at("epsilon").at("total").get<double>(); formalGuaranteeIsVacuous(epsilon))
        text += vacuousGuaranteeStatement(epsilon) + " ";
    std::vector<std::string> disclosed = c.at("attributes").at("disclosed").get<std::vector<std::string>>();
    std::vector<std::string> protected_names;
    for (const auto& p : c.at("attributes").at("protected")) protected_names.push_back(p.at("name").get<std::string>());
    text += fmt::format("Attributes disclosed exactly: {}. Attributes protected (randomized, not listed in the release "
                        "manifest, not written into any released header): {}. ", joinWords(disclosed), joinWords(protected_names));
    if (const auto meanings = c.at("attributes").find("meanings"); meanings != c.at("attributes").end())
        for (const auto& p : c.at("attributes").at("protected"))
            if (meanings->contains(p.at("name"))) text += meanings->at(p.at("name").get<std::string>()).get<std::string>() + " ";
    int non_finite = 0;
    for (const auto& image : c.at("images"))
        if (image.value("withheld_reason", "").find("non-finite") != std::string::npos) ++non_finite;
    if (!c.at("safeguard").is_null())
        text += fmt::format("A nearest-neighbour safeguard withheld {} image(s) that came too close to a reference image. ",
                            integerAt<int>(counts, "withheld") - non_finite);
    if (non_finite > 0)
        text += fmt::format("{} image(s) were withheld because the model's decoding failed numerically; their privacy "
                            "budget is counted all the same. ", non_finite);
    if (integerAt<int>(counts, "failed") > 0)
        text += fmt::format("{} source image(s) could not be processed and are not in the release. ", integerAt<int>(counts, "failed"));
    const json& e = c.at("evaluation");
    if (!e.is_null() && e.value("found", false)) {
        const json& row = e.at("row");
        if (!row.at("protocol_a_auc").is_null()) {
            text += fmt::format("At this epsilon, a diagnostic classifier trained on original images scored an ROC AUC of {} on "
                                "privatized images. ", number(row.at("protocol_a_auc").get<double>()));
            const std::string caveat =
                protocolACaveat({acc.at("mechanism").get<std::string>()}, e.value("image_borne_as_released", false));
            if (!caveat.empty()) text += caveat + " ";
        }
        if (!row.value("within_label_concordance", json(nullptr)).is_null())
            text += fmt::format("Among images with the same label, the classifier ordered the privatized images as it ordered "
                                "their originals for {:.1f}% of pairs (50%: nothing of that order kept). ",
                                100.0 * row.at("within_label_concordance").get<double>());
        if (!row.value("image_borne_auc", json(nullptr)).is_null() && e.value("image_borne_as_released", false)) {
            const json& original = e.value("original", json(nullptr));
            if (!original.is_null() && !original.value("image_borne_auc", json(nullptr)).is_null())
                text += fmt::format("On the original images the same classifier scored {}. ",
                                    number(original.at("image_borne_auc").get<double>()));
        } else if (!row.value("image_borne_auc", json(nullptr)).is_null()) {
            const json& original = e.value("original", json(nullptr));
            text += fmt::format("Decoded under every label value in turn and scored on the average, the privatized images gave "
                                "an ROC AUC of {}{}; this measure still depends in part on the disclosed label (through the "
                                "pixels it painted), so the within-label figure above is the one that it cannot explain. ",
                                number(row.at("image_borne_auc").get<double>()),
                                !original.is_null() && !original.value("image_borne_auc", json(nullptr)).is_null()
                                    ? " (originals: " + number(original.at("image_borne_auc").get<double>()) + ")"
                                    : std::string());
        }
        if (!row.at("reidentification_top1").is_null())
            text += fmt::format("The strongest re-identification attack measured matched a privatized image to its patient "
                                "{:.1f}% of the time (chance: {:.1f}%). ",
                                100.0 * row.at("reidentification_top1").get<double>(),
                                100.0 * row.value("reidentification_chance", 0.0));
        if (!row.value("linkage_top1", json(nullptr)).is_null())
            text += fmt::format("Someone holding the original images could link a privatized image back to its original "
                                "{:.1f}% of the time (the strongest linkage attack, '{}'; chance: {:.1f}%). ",
                                100.0 * row.at("linkage_top1").get<double>(), row.value("linkage_attacker", ""),
                                100.0 * row.value("linkage_chance", 0.0));
        const json& verdict = e.value("verdict", json(nullptr));
        if (!verdict.is_null() && !verdict.at("at_this_epsilon").is_null()) {
            const json& here = verdict.at("at_this_epsilon");
            text += fmt::format("Judged by the upper end of a 95% interval on the strongest attack ({}: {} of {}, at most "
                                "{:.1f}%) against twice chance ({:.1f}%), the measured attacks {} at chance at this epsilon{}. ",
                                here.at("strongest_attack").get<std::string>(), integerAt<std::size_t>(here, "hits"),
                                integerAt<std::size_t>(here, "probes"), 100.0 * here.at("upper_bound_95").get<double>(),
                                100.0 * here.at("line").get<double>(),
                                here.at("all_attacks_at_chance").get<bool>() ? "are shown to be" : "are NOT shown to be",
                                verdict.at("test_films_can_show_chance").get<bool>()
                                    ? ""
                                    : " (the evaluation's test films are too few to show chance at any epsilon)");
        }
        const json& beyond = e.value("verdict_beyond_disclosed_attributes", json(nullptr));
        if (!beyond.is_null() && !beyond.at("at_this_epsilon").is_null()) {
            const json& here = beyond.at("at_this_epsilon");
            text += fmt::format("Against what the same attacks would score if the images carried nothing of the patient "
                                "beyond the attributes disclosed with them (the strongest, {}, at most {:.1f}% against twice "
                                "that chance, {:.1f}%), the images themselves {}. ",
                                here.at("strongest_attack").get<std::string>(), 100.0 * here.at("upper_bound_95").get<double>(),
                                100.0 * here.at("line").get<double>(),
                                here.at("all_attacks_at_chance").get<bool>()
                                    ? "are shown to be at chance at this epsilon: what the attacks gain comes from the "
                                      "disclosed attributes"
                                    : "are NOT shown to be at chance at this epsilon");
        }
    } else if (!e.is_null() && e.contains("allocation_found") && !e.at("allocation_found").get<bool>()) {
        text += "The supplied evaluation did not measure this release's allocation (its SHA-256 is not among the sweep's), "
                "so none of its figures is quoted. ";
    } else {
        text += "No measured utility or re-identification figure was supplied for this epsilon. ";
    }
    text += c.at("guarantee").at("holds").get<bool>()
                ? "The formal differential-privacy guarantee holds for every released image."
                : "The formal differential-privacy guarantee does NOT hold for this release: " +
                      c.at("guarantee").at("statement").get<std::string>();
    return text;
}

void writeReleaseManifest(const fs::path& folder, const std::vector<ReleasedItem>& items,
                          const std::vector<std::string>& kept_attributes) {
    std::vector<std::string> columns = {"id", "file"};
    columns.insert(columns.end(), kept_attributes.begin(), kept_attributes.end());
    Manifest manifest(columns, folder);
    for (const auto& item : items) {
        if (item.withheld) continue;
        std::vector<std::string> row = {item.id, item.files.front()};
        for (const auto& name : kept_attributes) row.push_back(item.kept_attributes.at(name));
        manifest.addRow(std::move(row));
    }
    const fs::path path = folder / release_layout::kManifest;
    const fs::path temporary = partialPathFor(path);
    manifest.write(temporary);
    fs::rename(temporary, path);
}

ReleaseVerification verifyRelease(const fs::path& folder) {
    const fs::path path = folder / release_layout::kCertificate;
    std::ifstream in(path);
    if (!in) throw std::runtime_error(folder.string() + ": no " + release_layout::kCertificate + " (not a release folder)");
    ReleaseVerification v;
    json c;
    try {
        c = json::parse(in);
    } catch (const json::exception& e) {
        v.problems.push_back(path.string() + " is not valid JSON: " + e.what());
        return v;
    }
    auto check = [&](const std::string& file, const std::string& expected) {
        ++v.files_checked;
        std::error_code error;
        if (!fs::is_regular_file(folder / file, error)) {
            v.problems.push_back(file + " is missing");
            return;
        }
        const std::string actual = sha256OfFile(folder / file);
        if (actual != expected) v.problems.push_back(file + " was changed: SHA-256 " + actual + ", certificate says " + expected);
    };
    try {
        if (c.value("format", "") != "dpflow-release-certificate") v.problems.push_back("the certificate's format is not dpflow-release-certificate");
        if (c.value("certificate_sha256", "") != certificateDigest(c))
            v.problems.push_back("the certificate was edited after it was made (its certificate_sha256 does not match its content)");
        check(c.at("release_manifest").at("path").get<std::string>(), c.at("release_manifest").at("sha256").get<std::string>());
        std::set<std::string> listed;
        std::set<std::string> released_images;
        int released = 0, withheld = 0;
        for (const auto& image : c.at("images")) {
            const bool is_withheld = image.at("status") == "withheld";
            (is_withheld ? withheld : released) += 1;
            if (image.at("epsilon_total").get<double>() > c.at("epsilon_per_image_max").get<double>())
                v.problems.push_back("image " + image.at("id").get<std::string>() + " spent more eps than the certificate's maximum");
            for (const auto& file : image.at("files")) {
                const std::string name = file.at("path").get<std::string>();
                if (!listed.insert(name).second) v.problems.push_back(name + " is listed twice");
                check(name, file.at("sha256").get<std::string>());
            }
            if (!is_withheld) released_images.insert(image.at("files").at(0).at("path").get<std::string>());
        }
        if (released != integerAt<int>(c.at("counts"), "released") || withheld != integerAt<int>(c.at("counts"), "withheld"))
            v.problems.push_back(fmt::format("the counts say {} released and {} withheld, the images listed are {} and {}",
                                             integerAt<int>(c.at("counts"), "released"), integerAt<int>(c.at("counts"), "withheld"),
                                             released, withheld));
        std::error_code error;
        for (const char* sub : {release_layout::kImages, release_layout::kRecords})
            if (fs::is_directory(folder / sub, error))
                for (const auto& entry : fs::directory_iterator(folder / sub)) {
                    const std::string name = std::string(sub) + "/" + entry.path().filename().string();
                    if (entry.is_regular_file() && name.find("/.") == std::string::npos && !listed.count(name))
                        v.problems.push_back(name + " is in the folder but not in the certificate");
                }
        const Manifest manifest = Manifest::read(folder / release_layout::kManifest);
        std::set<std::string> manifest_files;
        for (std::size_t row = 0; row < manifest.size(); ++row) manifest_files.insert(manifest.value(row, "file"));
        if (manifest_files != released_images)
            v.problems.push_back(fmt::format("the release manifest lists {} image(s), the certificate {} released", manifest_files.size(),
                                             released_images.size()));
    } catch (const std::exception& e) {
        v.problems.push_back(std::string("the certificate is incomplete or malformed: ") + e.what());
    }
    return v;
}

}  // namespace dpflow
