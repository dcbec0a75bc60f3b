#include "commands.h"

#include "attribute_arguments.h"

#include "eval/decoder_artifacts.h"
#include "flow/flow_model.h"
#include "flow/runtime.h"
#include "image/manifest.h"
#include "image/png_io.h"
#include "image/sha256.h"
#include "privacy/epsilon_strip.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace dpflow::cli {
namespace {

struct ArtifactsArguments {
    std::string model;
    std::string manifest;
    std::string split = "test";
    std::string mechanism = "dpglow";
    std::string allocation;
    std::vector<double> epsilons;
    std::vector<std::string> keep;
    std::vector<std::string> protect;
    std::string decoding = "shrink";
    std::size_t max_images = 0;
    std::uint64_t seed = 1;
    int threads = 0;
    bool list = false;  ///< print each artifact block of each film
    std::string save;   ///< folder for the decoded films that have artifacts
};

// The manifest's rows of `split` with the model's attribute columns as their true values.
std::vector<PrivatizeInput> splitInputs(const Manifest& manifest, const std::string& split, const std::vector<FlowAttribute>& attributes,
                                        std::size_t max_images) {
    std::vector<PrivatizeInput> inputs;
    for (const std::size_t row : manifest.rowsInSplit(split)) {
        PrivatizeInput input{manifest.file(row), {}, {}};
        for (const auto& attribute : attributes) input.attributes[attribute.name] = manifest.value(row, attribute.name);
        inputs.push_back(std::move(input));
        if (max_images > 0 && inputs.size() == max_images) break;
    }
    return inputs;
}

// A change in display units as 8-bit gray levels.
double grayLevels(double change) { return 255.0 * change; }

}  // namespace

void registerArtifactsCommand(CLI::App& app, int& exit_code) {
    auto* command = app.add_subcommand(
        "artifacts", "Count decoder artifacts of a flow on a manifest split at each eps: 16 x 16 blocks of a privatized film whose "
                     "standard deviation is above twice the largest block standard deviation of the original, or saturated "
                     "(>= 90% at 0 or 1) where the original is not; each block listed with how far its pixels moved. --mechanism pixel "
                     "is the control without a decoder. Seeded evaluation noise: never a release.");
    auto a = std::make_shared<ArtifactsArguments>();
    command->add_option("--model", a->model, "Flow weights (.safetensors)")->required()->check(CLI::ExistingFile);
    command->add_option("--manifest", a->manifest, "Manifest of the films, with the model's attribute columns")->required()->check(CLI::ExistingFile);
    command->add_option("--split", a->split, "Split of the manifest ('' for every row)")->capture_default_str();
    command->add_option("--mechanism", a->mechanism,
                        "dpglow, cadp or allocated; pixel (Laplace noise on the film's pixels, no decoder) as the control")
        ->check(CLI::IsMember({"dpglow", "cadp", "allocated", "pixel"}))->capture_default_str();
    command->add_option("--allocation", a->allocation, "allocated: the allocation file (default MODEL.allocation.json beside the model)")
        ->check(CLI::ExistingFile);
    command->add_option("--epsilons", a->epsilons, "Budgets, comma-separated")->delimiter(',')->required()->check(CLI::PositiveNumber);
    command->add_option("--keep", a->keep, "Attributes disclosed exactly, comma-separated")->delimiter(',');
    command->add_option("--protect", a->protect, "Protected attributes NAME:EPS, comma-separated")->delimiter(',');
    command->add_option("--decode", a->decoding, "direct or shrink")->check(CLI::IsMember({"direct", "shrink"}))->capture_default_str();
    command->add_option("--max-images", a->max_images, "The first N films of the split (0: all)")->capture_default_str();
    command->add_option("--seed", a->seed, "Seed of the evaluation noise")->capture_default_str();
    command->add_option("--threads", a->threads, "CPU threads (0: automatic)");
    command->add_flag("--list", a->list, "Also print where each artifact block is, film by film");
    command->add_option("--save", a->save, "Write each decoded film that has artifacts to this folder as PNG (to look at)");
    command->callback([a, &exit_code] {
        configureThreads(a->threads);
        const FlowModel model = FlowModel::load(a->model);
        const ModelReference reference{&model, std::filesystem::path(a->model).filename().string(), sha256OfFile(a->model)};
        StripSettings settings;
        settings.mechanisms = {parseMechanism(a->mechanism)};
        if (!a->allocation.empty()) settings.allocations = {a->allocation};
        settings.model_path = a->model;
        settings.epsilons = a->epsilons;
        settings.decoding = parseLatentDecoding(a->decoding);
        settings.attributes = parseAttributePolicy(a->keep, a->protect);
        const auto inputs = splitInputs(Manifest::read(a->manifest), a->split, model.card().config.attributes, a->max_images);
        if (inputs.empty()) throw CLI::ValidationError("--split", "no film in split '" + a->split + "'");
        SeededTestRandomSource source(a->seed);
        std::cerr << fmt::format("privatizing {} film(s) at {} budget(s)...\n", inputs.size(), a->epsilons.size());
        const auto rows = privatizeAcrossEpsilons(inputs, settings, reference, source);
        int total = 0;
        for (std::size_t e = 0; e < a->epsilons.size(); ++e) {
            int films = 0, noisy = 0, saturated = 0, worst = 0;
            double largest_change = 0.0;
            std::string worst_film;
            for (const auto& row : rows) {
                const auto& cell = row.cells[e];
                if (!cell.image) continue;
                const DecoderArtifacts found = countDecoderArtifacts(row.original, *cell.image);
                films += found.artifacts() > 0;
                if (found.artifacts() > 0 && a->list) {
                    std::string blocks;
                    for (const auto& b : found.where)
                        blocks += fmt::format(" ({},{}) {} [at 0 or 1: {:.2f} -> {:.2f}; moved <= {:.1f} levels]", b.x, b.y,
                                              b.noisy && b.saturated ? "noisy+saturated" : b.noisy ? "noisy" : "saturated",
                                              b.saturated_before, b.saturated_after, grayLevels(b.largest_change));
                    std::cout << fmt::format("  eps {:g} {}: {} block(s) at x,y of {}:{}\n", a->epsilons[e], row.source,
                                             found.artifacts(), row.original.width, blocks);
                }
                if (found.artifacts() > 0 && !a->save.empty()) {
                    std::filesystem::create_directories(a->save);
                    writePng(*cell.image, std::filesystem::path(a->save) /
                                              fmt::format("{}_eps{:g}.png", std::filesystem::path(row.source).stem().string(), a->epsilons[e]), 8);
                }
                noisy += found.noisy;
                saturated += found.saturated;
                largest_change = std::max(largest_change, found.largestChangeInArtifacts());
                if (found.artifacts() > worst) worst = found.artifacts(), worst_film = row.source;
            }
            total += noisy + saturated;
            std::cout << fmt::format("eps {:g}: {} of {} films with artifacts, {} blocks ({} noisy, {} saturated){}\n",
                                     a->epsilons[e], films, rows.size(), noisy + saturated, noisy, saturated,
                                     worst > 0 ? fmt::format("; most: {} ({} blocks); no pixel of them moved more than {:.1f} of 255 levels",
                                                             worst_film, worst, grayLevels(largest_change))
                                               : "");
        }
        std::cout << fmt::format("total: {} artifact blocks over {} films x {} budgets\n", total, rows.size(), a->epsilons.size());
        exit_code = 0;
    });
}

}  // namespace dpflow::cli
