#include "commands.h"

#include "attribute_arguments.h"
#include "release_decision_options.h"

#include "flow/flow_model.h"
#include "flow/runtime.h"
#include "image/sha256.h"
#include "privacy/latent_mechanisms.h"
#include "release/privatize_batch.h"
#include "privacy/sampler_benchmark.h"

#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dpflow::cli {
namespace {

struct PrivatizeArguments {
    std::string model;
    ReleaseDecisionOptions decision;
    std::vector<std::string> attributes;
    std::string ledger;
    double budget_limit = std::numeric_limits<double>::infinity();
    std::string format = "png";
    std::vector<std::string> inputs;
    std::string out;
    bool explain = false;
    std::optional<std::uint64_t> test_seed;
    int threads = 0;
};

void registerPrivatize(CLI::App& app, int& exit_code) {
    auto* command = app.add_subcommand(
        "privatize", "Release privatized images: flow-latent (dpglow, cadp, allocated) or pixel-space (pixel, dppix) Laplace noise from "
                     "the OS CSPRNG, attributes kept or protected, optional nearest-neighbour safeguard; writes one image "
                     "and one JSON record per input and appends the budget ledger before publishing.");
    auto a = std::make_shared<PrivatizeArguments>();
    command->add_option("--model", a->model, "Flow weights (.safetensors); optional for pixel and dppix")->check(CLI::ExistingFile);
    addReleaseDecisionOptions(*command, a->decision);
    command->get_option("--epsilon")->required();
    command->add_option("--attribute", a->attributes, "True attribute value NAME=VALUE for inputs that are not in a manifest (repeatable)");
    command->add_option("--ledger", a->ledger, "Budget ledger (JSON lines; default OUT/privacy-ledger.jsonl)");
    command->add_option("--budget-limit", a->budget_limit, "Per-image eps_total beyond which the ledger warns")->check(CLI::PositiveNumber);
    command->add_option("--format", a->format, "png (16-bit) or dcm (derived, de-identified DICOM)")->check(CLI::IsMember({"png", "dcm"}))->capture_default_str();
    command->add_option("--threads", a->threads, "CPU threads (0: automatic, half the cores, 1 to 4)");
    command->add_flag("--explain", a->explain, "Print the accounting (D, Delta, r, b, eps parts) and exit; reads no image, draws no noise");
    command->add_option("--insecure-test-seed", a->test_seed, "Tests only: seeded randomness, every output stamped NOT PRIVATE")->group("");
    command->add_option("--out", a->out, "Output folder");
    command->add_option("inputs", a->inputs, "Images, folders or manifests (.csv)");
    command->callback([a, command, &exit_code] {
        configureThreads(a->threads);
        PrivatizerSettings settings;
        applyReleaseDecisionOptions(a->decision, *command, settings);
        useAllocationBesideModelByDefault(settings, a->model);
        std::optional<FlowModel> model;
        ModelReference reference;
        if (!a->model.empty()) {
            model = FlowModel::load(a->model);
            reference = {&*model, std::filesystem::path(a->model).filename().string(), sha256OfFile(a->model)};
        }
        std::unique_ptr<RandomSource> source;
        if (a->test_seed) source = std::make_unique<SeededTestRandomSource>(*a->test_seed);
        else source = std::make_unique<SystemRandomSource>();

        // Settings the model cannot take are usage errors (status 2), found before any image is read.
        std::optional<Privatizer> checked;
        try {
            checked.emplace(settings, reference, *source);
        } catch (const std::invalid_argument& e) {
            throw CLI::ValidationError("privatize", e.what());
        }
        if (a->explain) {
            const Privatizer& privatizer = *checked;
            std::cout << explainAccounting(privatizer.accountingWithoutImage());
            if (settings.safeguard) std::cout << explainSafeguard(*settings.safeguard);
            exit_code = 0;
            return;
        }
        if (a->out.empty()) throw CLI::ValidationError("--out", "give the output folder with --out DIR");
        if (a->inputs.empty()) throw CLI::ValidationError("inputs", "give at least one image, folder or manifest");
        PrivatizeBatchOptions options;
        options.inputs.assign(a->inputs.begin(), a->inputs.end());
        options.given_attributes = parseAttributeValues(a->attributes, "--attribute");
        options.out_dir = a->out;
        options.format = a->format == "png" ? ReleasedImageFormat::Png16 : ReleasedImageFormat::Dicom;
        options.ledger = a->ledger;
        options.budget_limit = a->budget_limit;
        if (options.format == ReleasedImageFormat::Dicom && model && isLatentMechanism(settings.mechanism.mechanism)) {
            try {
                requireDicomFormsOfKeptValues(model->card().config.attributes, settings.attributes);
            } catch (const std::invalid_argument& e) {
                throw CLI::ValidationError("--format", e.what());
            }
        }
        const auto result = privatizeBatch(options, settings, reference, *source, std::cerr);
        exit_code = result.failed == 0 ? 0 : 1;
    });
}

void registerBenchSampler(CLI::App& app, int& exit_code) {
    auto* command = app.add_subcommand("bench-sampler", "Time the secure grid Laplace sampler on the OS CSPRNG for D = 16384 "
                                                        "values (box of +-4 per element, as for a 128x128 dpglow release).");
    auto epsilon = std::make_shared<double>(1e5);
    auto rounds = std::make_shared<int>(20);
    command->add_option("--epsilon", *epsilon, "eps of the simulated release (sets b)")->check(CLI::PositiveNumber)->capture_default_str();
    command->add_option("--rounds", *rounds, "Draws of D = 16384 values")->check(CLI::PositiveNumber)->capture_default_str();
    command->callback([=, &exit_code] {
        constexpr std::size_t dimension = 16384;
        const LatentBox box{std::vector<float>(dimension, -4.0f), std::vector<float>(dimension, 4.0f)};
        const auto plan = planLaplaceNoise(box.l1Sensitivity(), dimension, *epsilon);
        SystemRandomSource source;
        const auto t = measureSamplerThroughput(source, plan, *rounds);
        std::cout << fmt::format("secure grid Laplace sampler (getrandom): D = {}, b = {:.6g}, r = {:.3g}: {} values in "
                                 "{:.3f} s = {:.4g} values/s ({:.3f} ms per D-vector)\n",
                                 dimension, plan.scale, plan.granularity, t.values, t.seconds, t.values_per_second,
                                 1e3 * t.seconds / *rounds);
        exit_code = 0;
    });
}

}  // namespace

void registerPrivatizeCommand(CLI::App& app, int& exit_code) {
    registerPrivatize(app, exit_code);
    registerBenchSampler(app, exit_code);
}

}  // namespace dpflow::cli
