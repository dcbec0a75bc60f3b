#include "release/privatize_batch.h"

#include "privacy/budget_ledger.h"
#include "release/source_identity.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <map>
#include <optional>
#include <set>

namespace dpflow {
namespace {

namespace fs = std::filesystem;

// Chooses output names: <stem>_<mechanism>[_NOT-PRIVATE], with _2, _3, ... when a stem repeats.
class OutputNames {
public:
    std::string next(const fs::path& source, const std::string& suffix) {
        const std::string base = source.stem().string() + suffix;
        const int count = ++used_[base];
        return count == 1 ? base : fmt::format("{}_{}", base, count);
    }

private:
    std::map<std::string, int> used_;
};

}  // namespace

PrivatizeBatchResult privatizeBatch(const PrivatizeBatchOptions& options, const PrivatizerSettings& settings,
                                    const ModelReference& model, RandomSource& source, std::ostream& log) {
    const auto& model_attributes = model.model && isLatentMechanism(settings.mechanism.mechanism)
                                       ? model.model->card().config.attributes
                                       : std::vector<FlowAttribute>{};
    if (options.format == ReleasedImageFormat::Dicom) requireDicomFormsOfKeptValues(model_attributes, settings.attributes);
    std::vector<PrivatizeInput> inputs = collectPrivatizeInputs(options.inputs, model_attributes, options.given_attributes);
    std::vector<std::optional<SourceIdentity>> identities(inputs.size());
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (!inputs[i].error.empty()) continue;
        try {
            identities[i] = identifySource(inputs[i].path);
        } catch (const std::exception& e) {
            inputs[i].error = e.what();
        }
    }

    std::optional<ReferenceSet> reference;
    SafeguardReference safeguard_reference;
    if (settings.safeguard) {
        log << "loading the safeguard's reference set " << settings.safeguard->reference_manifest.string() << '\n';
        reference = loadSafeguardReference(settings.safeguard->reference_manifest, model);
        safeguard_reference.reference = &*reference;
        for (const auto& identity : identities)
            if (identity && reference->containsFile(identity->sha256)) safeguard_reference.holds_released_input = true;
        if (safeguard_reference.holds_released_input || !settings.safeguard->reference_public)
            log << "warning: the safeguard's reference set is private ("
                << (safeguard_reference.holds_released_input ? "it contains an image being released"
                                                             : "not asserted public with --reference-public")
                << "): the formal differential-privacy guarantee no longer holds for the images of this run\n";
    }
    Privatizer privatizer(settings, model, source, safeguard_reference);
    if (!source.isPrivate())
        log << "warning: " << kNotPrivateStamp << ": randomness from '" << source.name()
            << "'; nothing written by this run is a private release\n";

    fs::create_directories(options.out_dir);
    BudgetLedger ledger(options.ledger.empty() ? options.out_dir / "privacy-ledger.jsonl" : options.ledger, options.budget_limit);
    for (const auto& warning : ledger.loadWarnings()) log << "warning: " << warning << '\n';

    const std::string suffix = "_" + mechanismName(settings.mechanism.mechanism) + (source.isPrivate() ? "" : "_NOT-PRIVATE");
    const std::string extension = "." + releasedImageFormatName(options.format);
    OutputNames names;
    PrivatizeBatchResult result;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const auto& input = inputs[i];
        const std::string prefix = fmt::format("[{}/{}] {}: ", i + 1, inputs.size(), input.path.string());
        try {
            if (!input.error.empty()) throw std::runtime_error(input.error);
            // One read: the pixels, and the hash and header of exactly those bytes.
            const SourceFile source_file = readSource(input.path);
            requireUnchangedSource(*identities[i], source_file.identity);
            const SourceIdentity& identity = source_file.identity;
            const Image& image = source_file.image;
            privatizer.refuseImageOfItsPublicData(identity.sha256, input.path.string());
            PrivatizedImage privatized = privatizer.privatize(privatizer.prepare(image, input.attributes));
            ReleaseRecord& record = privatized.record;
            stampReleaseSource(record, identity, ledger.path().string());

            const std::string name = names.next(input.path, suffix);
            const fs::path output = options.out_dir / (name + extension);
            if (privatized.image) {
                writeReleasedImage(*privatized.image, options.format, record, identity, partialFileBeside(output));
                record.output_file = output.string();
                record.output_format = releasedImageFormatName(options.format);
            }
            const fs::path record_path = options.out_dir / (name + ".json");
            const BudgetCheck check = commitRelease(ledger, record, privatized.image.has_value(), output, record_path);
            result.records.push_back(record_path);
            if (privatized.image) {
                ++result.released;
                result.outputs.push_back(output);
                log << prefix << "released " << output.string() << " (eps_total " << record.accounting.partsText() << ")\n";
            } else {
                ++result.withheld;
                log << prefix << "withheld: " << record.withheld_reason;
                if (record.withheld_reason == kWithheldBySafeguard) log << " after " << record.safeguard.distances.size() << " tries";
                log << " (record " << record_path.string() << ")\n";
            }
            if (!check.warning.empty()) log << "warning: " << check.warning << '\n';
        } catch (const std::exception& e) {
            ++result.failed;
            log << prefix << "error: " << e.what() << '\n';
        }
    }
    log << fmt::format("{} released, {} withheld, {} failed\n", result.released, result.withheld, result.failed);
    return result;
}

}  // namespace dpflow
