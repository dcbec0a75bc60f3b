#include "privacy/epsilon_strip.h"

#include "image/image_reader.h"
#include "privacy/latent_allocation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dpflow {

std::vector<StripRow> privatizeAcrossEpsilons(const std::vector<PrivatizeInput>& inputs, const StripSettings& settings,
                                              const ModelReference& model, RandomSource& source) {
    if (settings.mechanisms.empty() || settings.epsilons.empty()) {
        throw std::invalid_argument("a strip needs at least one mechanism and one epsilon");
    }
    std::vector<StripRow> rows;
    for (const auto& input : inputs) {
        if (!input.error.empty()) throw std::invalid_argument(input.path.string() + ": " + input.error);
        const Image image = readImage(input.path);
        for (const MechanismChoice& choice : mechanismChoices(settings.mechanisms, settings.allocations, settings.model_path)) {
            const PrivacyMechanism mechanism = choice.mechanism;
            StripRow row{input.path.filename().string(), mechanism, choice.label, {}, {}};
            for (const double epsilon : settings.epsilons) {
                PrivatizerSettings privatizer_settings;
                privatizer_settings.mechanism.mechanism = mechanism;
                privatizer_settings.mechanism.allocation = choice.allocation;
                privatizer_settings.mechanism.epsilon = epsilon;
                privatizer_settings.mechanism.decoding = settings.decoding;
                if (isLatentMechanism(mechanism)) privatizer_settings.attributes = settings.attributes;
                Privatizer privatizer(privatizer_settings, model, source);
                const auto prepared = privatizer.prepare(image, input.attributes);
                if (row.original.empty()) row.original = prepared.image;
                auto result = privatizer.privatize(prepared);
                row.cells.push_back({std::move(result.image), std::move(result.record)});
            }
            rows.push_back(std::move(row));
        }
    }
    return rows;
}

std::string stripCaption(const StripCell& cell) {
    const auto& accounting = cell.record.accounting;
    std::string text = fmt::format("eps {:g}", accounting.epsilon_mechanism);
    if (!accounting.groups.empty()) {
        const GroupScaleSummary scales = summarizeGroupScales(accounting.groups);
        text += fmt::format("\nb_g {:.3g}-{:.3g}, {} prior", scales.smallest, scales.largest, scales.prior);
    } else if (accounting.plan) {
        text += fmt::format("\nb {:.3g}", accounting.plan->scale);
    }
    text += fmt::format("\nclip in {:.1f}% out {:.1f}%", 100.0 * cell.record.input_clipped_fraction,
                        100.0 * cell.record.output_clipped_fraction);
    if (!cell.image) text += "\nwithheld";
    return text;
}

}  // namespace dpflow
