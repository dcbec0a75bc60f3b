#include "commands.h"

#include "attribute_arguments.h"

#include "flow/flow_model.h"
#include "flow/latent_sampling.h"
#include "flow/runtime.h"
#include "image/png_io.h"
#include "render/contact_sheet.h"

#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace dpflow::cli {
namespace {

struct SampleArguments {
    std::string model;
    std::string out;
    std::string images_dir;
    std::string vary;
    std::vector<std::string> attributes;
    int count = 6;
    double temperature = 0.7;
    std::uint64_t seed = 1;
    int threads = 0;
};

// One row per value of the varied attribute (or a single row); attributes neither given nor
// varied take their first value, and the sheet says so.
std::vector<AttributeValues> rowAttributes(const FlowConfig& config, const AttributeValues& given, const std::string& vary) {
    AttributeValues base = given;
    const FlowAttribute* varied = nullptr;
    for (const auto& attribute : config.attributes) {
        if (attribute.name == vary) varied = &attribute;
        else if (!base.count(attribute.name)) base[attribute.name] = attribute.values.front();
    }
    if (!vary.empty() && varied == nullptr) throw CLI::ValidationError("--vary", "the model has no attribute '" + vary + "'");
    if (varied == nullptr) return {base};
    std::vector<AttributeValues> rows;
    for (const auto& value : varied->values) {
        auto row = base;
        row[varied->name] = value;
        rows.push_back(row);
    }
    return rows;
}

std::string describe(const AttributeValues& values) {
    std::string text;
    for (const auto& [name, value] : values) text += (text.empty() ? "" : "\n") + name + "=" + value;
    return text;
}

}  // namespace

void registerSampleCommand(CLI::App& app, int& exit_code) {
    auto* command = app.add_subcommand("sample", "Draw synthetic images from a flow model's prior at a temperature and write a "
                                                 "sample sheet (PNG): one row per value of --vary. Seeded, for looking at a model; "
                                                 "these are not privatized images.");
    auto args = std::make_shared<SampleArguments>();
    command->add_option("model", args->model, "Weights file (.safetensors)")->required()->check(CLI::ExistingFile);
    command->add_option("--out", args->out, "Sample sheet PNG to write")->required();
    command->add_option("--count", args->count, "Samples per row")->check(CLI::Range(1, 64))->capture_default_str();
    command->add_option("--temperature", args->temperature, "Prior temperature T (u ~ N(0, T^2))")->check(CLI::Range(0.0, 2.0))->capture_default_str();
    command->add_option("--vary", args->vary, "Attribute with one row per value (e.g. pathology)");
    command->add_option("--attr", args->attributes, "Fixed attribute value NAME=VALUE (repeat for each)");
    command->add_option("--seed", args->seed, "Seed of the latent draws")->capture_default_str();
    command->add_option("--images", args->images_dir, "Also write every sample as a 16-bit PNG into this folder");
    command->add_option("--threads", args->threads, "CPU threads (0: automatic, half the cores, 1 to 4)");
    command->callback([args, &exit_code] {
        configureThreads(args->threads);
        const auto model = FlowModel::load(args->model);
        const auto& config = model.card().config;
        const auto rows = rowAttributes(config, parseAttributeValues(args->attributes, "--attr"), args->vary);
        ContactSheet sheet;
        sheet.title = fmt::format("{}: samples at temperature {:g}, seed {}", std::filesystem::path(args->model).filename().string(),
                                  args->temperature, args->seed);
        sheet.columns = args->count;
        sheet.tile_pixels = std::max(128, config.image_size);
        for (size_t r = 0; r < rows.size(); ++r) {
            sheet.row_labels.push_back(describe(rows[r]));
            for (int c = 0; c < args->count; ++c) {
                const auto index = r * static_cast<size_t>(args->count) + static_cast<size_t>(c);
                const auto u = sampleStandardLatent(config.latentDim(), args->temperature, args->seed + index);
                auto image = makeImage(config.image_size, config.image_size);
                image.pixels = model.decode(u, rows[r]);
                if (!args->images_dir.empty()) {
                    std::filesystem::create_directories(args->images_dir);
                    writePng(image, std::filesystem::path(args->images_dir) / fmt::format("sample_{:03}.png", index), 16);
                }
                sheet.tiles.push_back({std::move(image), ""});
            }
            std::cerr << fmt::format("sample: row {}/{}\n", r + 1, rows.size());
        }
        writeContactSheetPng(sheet, args->out);
        std::cout << fmt::format("wrote {} samples in {} rows to {}\n", sheet.tiles.size(), rows.size(), args->out);
        exit_code = 0;
    });
}

}  // namespace dpflow::cli
