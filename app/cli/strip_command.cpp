#include "commands.h"

#include "attribute_arguments.h"
#include "flow/flow_model.h"
#include "flow/runtime.h"
#include "image/sha256.h"
#include "privacy/epsilon_strip.h"
#include "render/contact_sheet.h"

#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dpflow::cli {
namespace {

struct StripArguments {
    std::string model;
    std::vector<std::string> mechanisms{"dpglow", "cadp", "pixel"};
    std::vector<std::string> allocations;
    std::vector<double> epsilons;
    std::vector<std::string> keep;
    std::vector<std::string> protect;
    std::vector<std::string> attributes;
    std::vector<std::string> inputs;
    std::size_t max_images = 3;
    std::string out;
    int tile_pixels = 160;
    int threads = 0;
    std::string decoding = "shrink";
};

ContactSheet stripSheet(const std::vector<StripRow>& rows, const std::vector<double>& epsilons, const std::string& model_name,
                        const std::string& randomness, const std::string& decoding, int tile_pixels) {
    ContactSheet sheet;
    sheet.title = fmt::format("Privatized with {} ({} noise; latent decoding: {}). Each row: the model input, then eps increasing.\n"
                              "b: per-element Laplace scale; clip: share of latent (in) and output (out) values clipped.",
                              model_name.empty() ? "no model" : model_name, randomness, decoding);
    sheet.columns = static_cast<int>(epsilons.size()) + 1;
    sheet.tile_pixels = tile_pixels;
    sheet.column_labels.push_back("original");
    for (const double epsilon : epsilons) sheet.column_labels.push_back(fmt::format("eps {:g}", epsilon));
    for (const auto& row : rows) {
        sheet.row_labels.push_back(row.source + "\n" + row.label);
        sheet.tiles.push_back({row.original, "model input"});
        for (const auto& cell : row.cells) sheet.tiles.push_back({cell.image.value_or(Image{}), stripCaption(cell)});
    }
    return sheet;
}

}  // namespace

void registerStripCommand(CLI::App& app, int& exit_code) {
    auto* command = app.add_subcommand("strip", "Picture of the trade-off: each input privatized by each mechanism at each eps "
                                                "(fresh secure noise), with eps, b and clipping under every image, as one PNG. "
                                                "Writes no release and no ledger entry.");
    auto a = std::make_shared<StripArguments>();
    command->add_option("--model", a->model, "Flow weights (.safetensors); optional when only pixel/dppix are shown")->check(CLI::ExistingFile);
    command->add_option("--mechanisms", a->mechanisms, "Mechanisms, comma-separated (dpglow, cadp, pixel, dppix, allocated)")
        ->delimiter(',')->capture_default_str();
    command->add_option("--allocation", a->allocations, "allocated: allocation files, comma-separated, one row each "
                                                        "(default MODEL.allocation.json beside the model)")
        ->delimiter(',')->check(CLI::ExistingFile);
    command->add_option("--epsilons", a->epsilons, "Budgets, comma-separated, increasing")->delimiter(',')->required()->check(CLI::PositiveNumber);
    command->add_option("--keep", a->keep, "Attributes disclosed exactly (dpglow, cadp), comma-separated")->delimiter(',');
    command->add_option("--protect", a->protect, "Protected attributes NAME:EPS, comma-separated")->delimiter(',');
    command->add_option("--attribute", a->attributes, "True attribute value NAME=VALUE for inputs not in a manifest (repeatable)");
    command->add_option("--max-images", a->max_images, "Use the first N inputs")->check(CLI::PositiveNumber)->capture_default_str();
    command->add_option("--tile", a->tile_pixels, "Side of each image in the PNG, pixels")->check(CLI::Range(32, 1024))->capture_default_str();
    command->add_option("--decode", a->decoding, "dpglow, cadp: direct or shrink (see dpflow privatize --help)")
        ->check(CLI::IsMember({"direct", "shrink"}))->capture_default_str();
    command->add_option("--threads", a->threads, "CPU threads (0: automatic, half the cores, 1 to 4)");
    command->add_option("--out", a->out, "PNG to write")->required();
    command->add_option("inputs", a->inputs, "Images, folders or manifests (.csv)")->required();
    command->callback([a, &exit_code] {
        configureThreads(a->threads);
        StripSettings settings;
        for (const auto& name : a->mechanisms) {
            try {
                settings.mechanisms.push_back(parseMechanism(name));
            } catch (const std::invalid_argument& e) {
                throw CLI::ValidationError("--mechanisms", e.what());
            }
        }
        settings.epsilons = a->epsilons;
        settings.allocations = a->allocations;
        settings.model_path = a->model;
        settings.decoding = parseLatentDecoding(a->decoding);
        settings.attributes = parseAttributePolicy(a->keep, a->protect);
        std::optional<FlowModel> model;
        ModelReference reference;
        std::vector<FlowAttribute> attributes;
        if (!a->model.empty()) {
            model = FlowModel::load(a->model);
            reference = {&*model, std::filesystem::path(a->model).filename().string(), sha256OfFile(a->model)};
            attributes = model->card().config.attributes;
        }
        auto inputs = collectPrivatizeInputs({a->inputs.begin(), a->inputs.end()}, attributes,
                                             parseAttributeValues(a->attributes, "--attribute"));
        if (inputs.size() > a->max_images) inputs.resize(a->max_images);
        SystemRandomSource source;
        const auto rows = privatizeAcrossEpsilons(inputs, settings, reference, source);
        writeContactSheetPng(stripSheet(rows, settings.epsilons, reference.name, source.name(), a->decoding, a->tile_pixels), a->out);
        for (const auto& row : rows) {
            for (const auto& cell : row.cells) {
                const auto& plan = cell.record.accounting.plan;
                std::cout << fmt::format("{} {} eps {:g}: b {:.6g}, Delta {:.6g}, input clipped {:.2f}%, output clipped {:.2f}%\n",
                                         row.source, row.label, cell.record.accounting.epsilon_mechanism,
                                         plan ? plan->scale : 0.0, plan ? plan->l1_sensitivity : 0.0,
                                         100.0 * cell.record.input_clipped_fraction, 100.0 * cell.record.output_clipped_fraction);
            }
        }
        std::cout << "wrote " << a->out << '\n';
        exit_code = 0;
    });
}

}  // namespace dpflow::cli
