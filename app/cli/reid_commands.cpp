#include "commands.h"

#include "eval/reidentification_attack.h"
#include "eval/sweep_summary.h"
#include "flow/runtime.h"

#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <memory>
#include <string>

namespace dpflow::cli {
namespace {

void registerReid(CLI::App& app, int& exit_code) {
    auto* command = app.add_subcommand("reid", "Re-identification attack on a manifest's originals: top-1 identification "
                                               "rate against a gallery of one image per patient, chance, verification AUC.");
    auto options = std::make_shared<ManifestReidentificationOptions>();
    auto manifest = std::make_shared<std::string>();
    auto attacker = std::make_shared<std::string>("pixels");
    auto embedding = std::make_shared<std::string>();
    auto threads = std::make_shared<int>(0);
    command->add_option("--data", *manifest, "Manifest CSV with file, split and patient columns")->required()->check(CLI::ExistingFile);
    command->add_option("--split", options->split, "Split to attack ('' for all rows)")->capture_default_str();
    command->add_option("--patient-column", options->patient_column, "Column identifying the patient")->capture_default_str();
    command->add_option("--attacker", *attacker, "Feature extractor")->check(CLI::IsMember({"pixels", "embedding"}))->capture_default_str();
    command->add_option("--embedding", *embedding, "Model from `dpflow reid-embedding` (for --attacker embedding)")->check(CLI::ExistingFile);
    command->add_option("--pixel-size", options->pixel_size, "Side the pixel attacker resizes to")->check(CLI::Range(4, 1024))->capture_default_str();
    command->add_flag("--linkage", options->linkage, "Probes are the gallery images themselves (linkage protocol)");
    command->add_option("--threads", *threads, "CPU threads (0: all cores)")->capture_default_str();
    command->callback([=, &exit_code] {
        configureThreads(*threads);
        options->manifest = *manifest;
        options->attacker = parseReidentificationAttacker(*attacker);
        options->embedding = *embedding;
        if (options->attacker == ReidentificationAttacker::Embedding && embedding->empty())
            throw CLI::ValidationError("--embedding", "--attacker embedding needs --embedding MODEL");
        const auto report = reidentifyOnManifest(*options);
        const auto& r = report.result;
        std::cout << fmt::format("attacker: {}; protocol: {}\n", report.attacker, options->linkage ? "linkage" : "identification");
        std::cout << fmt::format("gallery {} patients, {} probes\n", r.gallery_size, r.probes);
        std::cout << describeAttackStrength(attackFiguresOf(r)) << '\n';
        std::cout << fmt::format("({} genuine, {} impostor pairs)\n", r.verification.positives, r.verification.negatives);
        exit_code = 0;
    });
}

void registerReidEmbedding(CLI::App& app, int& exit_code) {
    auto* command = app.add_subcommand("reid-embedding", "Train the learned re-identification attacker (contrastive CNN) on "
                                                         "the originals of public splits of a manifest with patient ids; writes the model and its card.");
    auto options = std::make_shared<EmbeddingTrainOptions>();
    auto run = std::make_shared<EmbeddingTrainingRun>();
    auto manifest = std::make_shared<std::string>();
    auto output = std::make_shared<std::string>();
    auto threads = std::make_shared<int>(0);
    command->add_option("--data", *manifest, "Manifest CSV")->required()->check(CLI::ExistingFile);
    command->add_option("--out", *output, "Output model (.safetensors); its card goes beside it (.json)")->required();
    command->add_option("--split", run->splits, "Split(s) trained on, comma-separated (public films only: e.g. train,val)")->capture_default_str();
    command->add_option("--patient-column", run->patient_column, "Column identifying the patient")->capture_default_str();
    command->add_option("--evaluate-split", run->evaluate_split,
                        "Split whose originals the trained attacker is judged on (identification and linkage), recorded in the card")
        ->capture_default_str();
    auto linkage_model = std::make_shared<std::string>();
    auto linkage = std::make_shared<LinkageViews>();
    command->add_option("--linkage-model", *linkage_model,
                        "Train a linkage attacker instead: each film's identity is the film, its images the original and "
                        "its privatized copies by this flow")->check(CLI::ExistingFile);
    command->add_option("--linkage-mechanism", linkage->mechanism, "Mechanism of the copies")->check(CLI::IsMember({"dpglow", "cadp"}))->capture_default_str();
    command->add_option("--linkage-epsilons", linkage->epsilons, "One privatized copy of each film at each eps, comma-separated")
        ->delimiter(',')->check(CLI::PositiveNumber);
    command->add_option("--linkage-seed", linkage->seed, "Seed of the copies' noise (training data, never released)")->capture_default_str();
    command->add_option("--size", options->image_size, "Input size in pixels (16..256)")->check(CLI::Range(16, 256))->capture_default_str();
    command->add_option("--steps", options->steps, "Optimisation steps")->check(CLI::PositiveNumber)->capture_default_str();
    command->add_option("--batch-patients", options->patients_per_batch, "Patients per batch")->check(CLI::Range(2, 4096))->capture_default_str();
    command->add_option("--base-channels", options->base_channels, "Backbone width (channels of the first stage)")->check(CLI::Range(1, 256))->capture_default_str();
    command->add_option("--embedding-dim", options->embedding_dim, "Length of the embedding vector")->check(CLI::Range(1, 4096))->capture_default_str();
    command->add_option("--temperature", options->temperature, "InfoNCE temperature")->check(CLI::PositiveNumber)->capture_default_str();
    command->add_option("--learning-rate", options->learning_rate, "Adam learning rate")->check(CLI::PositiveNumber)->capture_default_str();
    command->add_option("--cross-acquisition-share", options->cross_acquisition_share,
                        "Share of each batch from patients with several films (the rest: two augmented views of one film); "
                        "negative: uniform over patients")->check(CLI::Range(-1.0, 1.0))->capture_default_str();
    command->add_option("--seed", options->seed, "Seed")->capture_default_str();
    command->add_option("--threads", *threads, "CPU threads (0: all cores)")->capture_default_str();
    command->callback([=, &exit_code] {
        configureThreads(*threads);
        options->on_step = [](const EmbeddingStep& s) {
            if (s.step % 25 != 0 && s.step != s.steps) return;
            std::cerr << fmt::format("step {}/{}  loss {:.4f}  elapsed {:.0f}s  ETA {:.0f}s", s.step, s.steps, s.loss,
                                     s.elapsed_seconds, s.eta_seconds)
                      << std::endl;
        };
        run->manifest = *manifest;
        run->output = *output;
        if (!linkage_model->empty()) {
            if (linkage->epsilons.empty()) throw CLI::ValidationError("--linkage-epsilons", "a linkage attacker needs --linkage-epsilons");
            linkage->model = *linkage_model;
            run->linkage_views = *linkage;
        } else if (!linkage->epsilons.empty()) {
            throw CLI::ValidationError("--linkage-epsilons", "--linkage-epsilons goes with --linkage-model");
        }
        run->command_line = commandLine(*command, "dpflow reid-embedding");
        const EmbeddingTrainingResult trained = trainEmbeddingOnManifest(*run, *options);
        std::cout << "wrote " << *output << " and " << embeddingCardPath(*output).string() << '\n';
        if (trained.identification && trained.linkage)
            std::cout << fmt::format("on the originals of split '{}', identification: {}\n"
                                     "on the originals of split '{}', linkage: {}\n",
                                     run->evaluate_split, describeAttackStrength(*trained.identification),
                                     run->evaluate_split, describeAttackStrength(*trained.linkage));
        exit_code = 0;
    });
}

}  // namespace

void registerReidCommands(CLI::App& app, int& exit_code) {
    registerReid(app, exit_code);
    registerReidEmbedding(app, exit_code);
}

}  // namespace dpflow::cli
