#include "release/release_runner.h"

#include "flow/model_card.h"
#include "image/sha256.h"
#include "privacy/budget_ledger.h"
#include "privacy/privatize_input.h"
#include "privacy/safeguard_reference.h"
#include "release/audit_trail.h"
#include "release/durable_files.h"
#include "release/release_certificate.h"
#include "release/release_evaluation.h"
#include "release/release_layout.h"
#include "release/release_publisher.h"
#include "release/source_identity.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <set>

namespace dpflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

AttributeValues parseGivenAttributes(const std::vector<std::string>& items) {
    AttributeValues values;
    for (const auto& item : items) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0) throw std::invalid_argument("attribute '" + item + "' is not NAME=VALUE");
        values[item.substr(0, eq)] = item.substr(eq + 1);
    }
    return values;
}

std::string newReleaseId(RandomSource& source) {
    std::uint8_t bytes[12];
    source.fill(bytes, sizeof bytes);
    std::string id;
    for (const std::uint8_t b : bytes) id += fmt::format("{:02x}", b);
    return id;
}

// One source of this shard with what identifies it.
struct ShardInput {
    PrivatizeInput input;
    std::optional<SourceIdentity> identity;
};

// The state file: the settings it was started with, then pending and done lines.
struct ReleaseState {
    std::map<std::string, ReleasedItem> done;     // by source key
    std::map<std::string, json> pending;          // by source key, without a later done line
};

ReleaseState loadState(const fs::path& path, const std::string& fingerprint, const ReleaseShard& shard, std::ostream& log,
                       const json& settings_json) {
    const auto lines = readJsonLines(path);
    ReleaseState state;
    if (lines.empty()) {
        appendJsonLine(path, {{"event", "settings"}, {"fingerprint", fingerprint}, {"shard", shard.text()}, {"settings", settings_json}});
        return state;
    }
    const json& head = lines.front();
    if (head.value("fingerprint", "") != fingerprint || head.value("shard", "") != shard.text())
        throw std::invalid_argument(path.parent_path().string() +
                                    " holds a release made with other settings, model or shard; resume it with the same "
                                    "settings or choose an empty --out folder");
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const json& line = lines[i];
        const std::string key = line.at("item").at("source_key").get<std::string>();
        if (line.at("event") == "pending") {
            state.pending[key] = line;
        } else {
            state.pending.erase(key);
            state.done[key] = releasedItemFromJson(line.at("item"));
        }
    }
    log << fmt::format("resuming: {} image(s) already done, {} interrupted\n", state.done.size(), state.pending.size());
    return state;
}

void audit(const fs::path& out, json event) { appendAuditEvent(out / release_layout::kAudit, std::move(event)); }

std::vector<std::string> keptAttributeNames(const PrivatizerSettings& settings) {
    std::vector<std::string> names;
    for (const auto& treatment : settings.attributes)
        if (!treatment.protect) names.push_back(treatment.name);
    return names;
}

// Everything of the certificate that does not depend on which images were released.
json commonCertificate(const ReleaseSettings& settings, const std::string& fingerprint, const ReleaseRunOptions& options,
                       const std::optional<FlowModel>& model, const ModelReference& reference, const Privatizer& privatizer,
                       const RandomSource& source, const std::vector<ReleasedItem>& items, const fs::path& out) {
    ReleaseRecord accounting_only;
    accounting_only.accounting = privatizer.modelSize() > 0 ? privatizer.accounting(privatizer.modelSize(), privatizer.modelSize())
                                                            : privatizer.accountingWithoutImage();
    const json record = releaseRecordToJson(accounting_only);
    json accounting = {{"mechanism", record.at("mechanism")}, {"epsilon", record.at("epsilon")}, {"noise", record.at("noise")}};
    if (record.contains("l1_radius")) accounting["l1_radius"] = record.at("l1_radius");
    if (record.contains("latent_decoding")) accounting["latent_decoding"] = record.at("latent_decoding");
    if (record.contains("allocation")) accounting["allocation"] = record.at("allocation");

    json disclosed = json::array(), protected_attributes = json::array(), meanings = json::object();
    for (const auto& a : accounting_only.accounting.attributes) {
        meanings[a.name] = attributeTreatmentStatement(a, accounting_only.accounting);
        if (!a.protect) disclosed.push_back(a.name);
        else protected_attributes.push_back({{"name", a.name}, {"epsilon", a.epsilon}, {"method", a.method},
                                             {"categories", a.categories}, {"keep_probability", a.keep_probability}});
    }

    // The guarantee as the records state it (they know whether the reference set was private).
    bool holds = source.isPrivate();
    std::string statement;
    for (const auto& item : items) {
        std::ifstream in(out / item.files.back());
        const json r = json::parse(in);
        const json& g = r.at("guarantee");
        if (statement.empty() || (!g.at("holds").get<bool>() && holds)) statement = g.at("statement").get<std::string>();
        holds = holds && g.at("holds").get<bool>();
    }
    json c;
    c["purpose"] = settings.purpose;
    c["software"] = {{"name", "DP-Flow Studio"}, {"version", options.software_version}};
    c["settings"] = releaseSettingsToJson(settings);
    c["settings_fingerprint"] = fingerprint;
    c["model"] = model ? json{{"name", reference.name}, {"sha256", reference.sha256}, {"card", modelCardToJson(model->card())}}
                       : json(nullptr);
    c["accounting"] = accounting;
    c["attributes"] = {{"disclosed", disclosed}, {"protected", protected_attributes}, {"meanings", meanings}};
    c["safeguard"] = releaseSettingsToJson(settings).at("safeguard");
    c["randomness"] = {{"source", source.name()}, {"private", source.isPrivate()}};
    c["guarantee"] = {{"holds", holds}, {"statement", statement}};
    c["evaluation"] = settings.evaluation.empty()
                          ? json(nullptr)
                          : evaluationAtEpsilon(settings.evaluation, mechanismName(settings.decision.mechanism.mechanism),
                                                settings.decision.mechanism.epsilon, reference.sha256,
                                                privatizer.allocation() ? privatizer.allocation()->file_sha256 : "");
    c["publication"] = {{"publish", {release_layout::kImages, release_layout::kManifest, release_layout::kCertificate,
                                     release_layout::kCertificatePdf}},
                        {"keep_internal", {release_layout::kRecords, release_layout::kAudit, release_layout::kLedger,
                                           release_layout::kState}},
                        {"why", "records, audit trail, ledger and state name the source files and their hashes"}};
    return c;
}

}  // namespace

ReleaseRunResult runRelease(const ReleaseSettings& settings, const fs::path& out, const ReleaseRunOptions& options,
                            std::ostream& log) {
    validateReleaseSettings(settings);
    const PrivatizerSettings& privatizer_settings = settings.decision;
    fs::create_directories(out / release_layout::kImages);
    fs::create_directories(out / release_layout::kRecords);
    ReleaseFolderLock lock(out);

    std::optional<FlowModel> model;
    ModelReference reference;
    if (!settings.model.empty()) {
        model = FlowModel::load(settings.model);
        reference = {&*model, fs::path(settings.model).filename().string(), sha256OfFile(settings.model)};
    }
    const std::string fingerprint = releaseSettingsFingerprint(settings, reference.sha256);
    SystemRandomSource source;
    Privatizer checked(privatizer_settings, reference, source);  // settings the model cannot take throw here, before any state is written

    const fs::path state_path = out / release_layout::kState;
    const bool resuming = fs::exists(state_path);
    ReleaseState state = loadState(state_path, fingerprint, settings.shard, log, releaseSettingsToJson(settings));

    const auto& model_attributes = model && isLatentMechanism(privatizer_settings.mechanism.mechanism)
                                       ? model->card().config.attributes
                                       : std::vector<FlowAttribute>{};
    if (std::find(settings.formats.begin(), settings.formats.end(), "dcm") != settings.formats.end())
        requireDicomFormsOfKeptValues(model_attributes, privatizer_settings.attributes);
    std::vector<fs::path> arguments(settings.inputs.begin(), settings.inputs.end());
    ReleaseRunResult result;
    std::vector<ShardInput> inputs;
    std::set<std::string> seen;
    for (auto& input : collectPrivatizeInputs(arguments, model_attributes, parseGivenAttributes(settings.attributes))) {
        ShardInput shard_input{std::move(input), std::nullopt};
        if (shard_input.input.error.empty()) {
            try {
                shard_input.identity = identifySource(shard_input.input.path);
            } catch (const std::exception& e) {
                shard_input.input.error = e.what();
            }
        }
        if (shard_input.identity) {
            const std::string key = shard_input.identity->ledgerKey();
            if (shardOfSource(key, settings.shard.count) != settings.shard.index) continue;
            if (!seen.insert(key).second) {
                ++result.duplicates;
                log << shard_input.input.path.string() << ": the same image is listed earlier; released once only\n";
                continue;
            }
        }
        inputs.push_back(std::move(shard_input));
    }
    result.inputs_in_shard = inputs.size();

    std::optional<ReferenceSet> reference_set;
    SafeguardReference safeguard_reference;
    if (privatizer_settings.safeguard) {
        log << "loading the safeguard's reference set " << privatizer_settings.safeguard->reference_manifest.string() << '\n';
        reference_set = loadSafeguardReference(privatizer_settings.safeguard->reference_manifest, reference);
        safeguard_reference.reference = &*reference_set;
        for (const auto& input : inputs)
            if (input.identity && reference_set->containsFile(input.identity->sha256)) safeguard_reference.holds_released_input = true;
    }
    Privatizer privatizer(privatizer_settings, reference, source, safeguard_reference);
    BudgetLedger ledger(out / release_layout::kLedger, settings.budget_limit.value_or(1.0 / 0.0));
    for (const auto& warning : ledger.loadWarnings()) log << "warning: " << warning << '\n';
    audit(out, {{"event", resuming ? "resumed" : "started"}, {"settings_fingerprint", fingerprint},
                {"shard", settings.shard.text()}, {"inputs", inputs.size()}, {"already_done", state.done.size()}});

    // Finish what a killed run committed to the ledger; discard what it had not.
    std::set<std::string> ledger_outputs;
    for (const auto& entry : ledger.entries()) ledger_outputs.insert(entry.output);
    for (const auto& [key, line] : state.pending) {
        const ReleasedItem item = releasedItemFromJson(line.at("item"));
        const bool committed = ledger_outputs.count(line.at("ledger_output").get<std::string>()) > 0;
        for (const auto& file : item.files) {
            const fs::path partial = partialPathFor(out / file);
            std::error_code ignored;
            if (committed && fs::exists(partial)) fs::rename(partial, out / file);
            else if (!committed) fs::remove(partial, ignored);
        }
        if (!committed) continue;
        appendJsonLine(state_path, {{"event", "done"}, {"item", releasedItemToJson(item, true)}});
        state.done[key] = item;
        ++result.recovered;
        audit(out, {{"event", "recovered"}, {"id", item.id}, {"status", item.withheld ? "withheld" : "released"}});
        log << "recovered " << item.id << " (committed before the interruption; its noise is not drawn again)\n";
    }
    result.already_done = state.done.size() - result.recovered;
    // Temporaries of an image a killed run had not yet announced (no pending line) are orphans.
    for (const char* folder : {release_layout::kImages, release_layout::kRecords})
        for (const auto& entry : fs::directory_iterator(out / folder))
            if (entry.path().filename().string().front() == '.' && entry.path().extension() == ".partial") fs::remove(entry.path());

    const std::string ledger_path = release_layout::kLedger;
    std::size_t committed = 0;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const PrivatizeInput& input = inputs[i].input;
        const std::string prefix = fmt::format("[{}/{}] {}: ", i + 1, inputs.size(), input.path.string());
        if (inputs[i].identity && state.done.count(inputs[i].identity->ledgerKey())) continue;
        try {
            if (!input.error.empty()) throw std::runtime_error(input.error);
            // One read: the pixels, and the hash and header of exactly those bytes.
            const SourceFile source_file = readSource(input.path);
            requireUnchangedSource(*inputs[i].identity, source_file.identity);
            const SourceIdentity& identity = source_file.identity;
            const Image& image = source_file.image;
            privatizer.refuseImageOfItsPublicData(identity.sha256, input.path.string());
            PrivatizedImage privatized = privatizer.privatize(privatizer.prepare(image, input.attributes));
            ReleaseRecord& record = privatized.record;
            stampReleaseSource(record, identity, ledger_path);

            ReleasedItem item;
            item.id = newReleaseId(source);
            item.source_key = record.ledger_key;
            item.withheld = !privatized.image;
            item.withheld_reason = privatized.record.withheld_reason;
            item.epsilon_total = record.accounting.epsilon_total;
            item.epsilon_parts = record.accounting.partsText();
            if (privatized.image) {
                for (const auto& format : settings.formats)
                    item.files.push_back(fmt::format("{}/{}.{}", release_layout::kImages, item.id, format));
                record.output_file = item.files.front();
                record.output_format = settings.formats.front();
                for (const auto& attribute : record.attributes)
                    if (!attribute.protect) item.kept_attributes[attribute.name] = attribute.released_value;
            }
            item.files.push_back(fmt::format("{}/{}.json", release_layout::kRecords, item.id));
            const BudgetCheck check = ledger.check(record.ledger_key, record.accounting.epsilon_total);
            record.ledger_spent_before = check.spent_before;
            record.ledger_spent_after = check.spent_after;
            record.ledger_warning = check.warning;

            for (std::size_t f = 0; privatized.image && f < settings.formats.size(); ++f) {
                const ReleasedImageFormat format = settings.formats[f] == "png" ? ReleasedImageFormat::Png16 : ReleasedImageFormat::Dicom;
                writeReleasedImage(*privatized.image, format, record, identity, partialPathFor(out / item.files[f]));
            }
            {
                const std::string text = releaseRecordToJson(record).dump(2) + "\n";
                const fs::path record_path = out / item.files.back();
                std::ofstream partial(partialPathFor(record_path), std::ios::binary | std::ios::trunc);
                if (!(partial << text).flush()) throw std::runtime_error(record_path.string() + ": cannot write the record");
            }
            // Relative to the release folder, which holds the ledger.
            const LedgerEntry entry = ledgerEntryFor(record, item.withheld ? "withheld: " + item.id : item.files.front());
            appendJsonLine(state_path, {{"event", "pending"}, {"ledger_output", entry.output}, {"item", releasedItemToJson(item, true)}});
            ledger.append(entry);
            ++committed;
            if (options.after_ledger_append) options.after_ledger_append(committed);
            for (const auto& file : item.files) fs::rename(partialPathFor(out / file), out / file);
            appendJsonLine(state_path, {{"event", "done"}, {"item", releasedItemToJson(item, true)}});
            state.done[item.source_key] = item;
            audit(out, {{"event", item.withheld ? "withheld" : "released"}, {"id", item.id}, {"source", record.source_path},
                        {"epsilon_total", item.epsilon_total}, {"reason", item.withheld_reason}});
            if (item.withheld) {
                ++result.withheld;
                log << prefix << "withheld: " << item.withheld_reason << " (" << item.files.back() << ")\n";
            } else {
                ++result.released;
                log << prefix << "released " << item.files.front() << " (eps_total " << item.epsilon_parts << ")\n";
            }
            if (!check.warning.empty()) log << "warning: " << check.warning << '\n';
        } catch (const std::exception& e) {
            ++result.failed;
            log << prefix << "error: " << e.what() << '\n';
            audit(out, {{"event", "failed"}, {"source", input.path.string()}, {"error", e.what()}});
        }
    }

    // Certificate order: the inputs' order, so reruns and shards list images the same way.
    std::vector<ReleasedItem> items;
    for (const auto& input : inputs)
        if (input.identity && state.done.count(input.identity->ledgerKey())) items.push_back(state.done.at(input.identity->ledgerKey()));
    writeReleaseManifest(out, items, keptAttributeNames(privatizer_settings));
    const json common = commonCertificate(settings, fingerprint, options, model, reference, privatizer, source, items, out);
    const int not_released = static_cast<int>(inputs.size() - items.size());  // this run's failures and any left from earlier runs
    result.certificate = finalizeCertificate(common, items, not_released, {settings.shard}, out);
    writeFileAtomically(out / release_layout::kCertificate, result.certificate.dump(2) + "\n");
    audit(out, {{"event", "finished"}, {"released", result.released}, {"withheld", result.withheld}, {"failed", result.failed},
                {"recovered", result.recovered}, {"certificate_sha256", result.certificate.at("certificate_sha256")}});
    log << fmt::format("{} released, {} withheld, {} failed this run; {} done earlier, {} recovered; certificate {}\n",
                       result.released, result.withheld, result.failed, result.already_done, result.recovered,
                       (out / release_layout::kCertificate).string());
    return result;
}

}  // namespace dpflow
