#include "commands.h"

#include "eval/reidentification_attack.h"
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
        std::cout << fmt::format("top-1 identification {:.3f} ({}/{}), chance {:.3f}\n", r.top1_rate, r.top1_hits, r.probes,
                                 r.chance_rate);
        std::cout << fmt::format("verification AUC {:.3f} [{:.3f}, {:.3f}] ({} genuine, {} impostor pairs)\n",
                                 r.verification.auc, r.verification.ci_low, r.verification.ci_high,
                                 r.verification.positives, r.verification.negatives);
        exit_code = 0;
    });
}

void registerReidEmbedding(CLI::App& app, int& exit_code) {
    auto* command = app.add_subcommand("reid-embedding", "Train the learned re-identification attacker (contrastive CNN) on "
                                                         "the originals of one split of a manifest with patient ids.");
    auto options = std::make_shared<EmbeddingTrainOptions>();
    auto manifest = std::make_shared<std::string>();
    auto output = std::make_shared<std::string>();
    auto split = std::make_shared<std::string>("train");
    auto patient_column = std::make_shared<std::string>("patient_id");
    auto threads = std::make_shared<int>(0);
    command->add_option("--data", *manifest, "Manifest CSV")->required()->check(CLI::ExistingFile);
    command->add_option("--out", *output, "Output model (.safetensors)")->required();
    command->add_option("--split", *split, "Split trained on")->capture_default_str();
    command->add_option("--patient-column", *patient_column, "Column identifying the patient")->capture_default_str();
    command->add_option("--size", options->image_size, "Input size in pixels (16..256)")->check(CLI::Range(16, 256))->capture_default_str();
    command->add_option("--steps", options->steps, "Optimisation steps")->check(CLI::PositiveNumber)->capture_default_str();
    command->add_option("--batch-patients", options->patients_per_batch, "Patients per batch")->check(CLI::Range(2, 4096))->capture_default_str();
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
        trainEmbeddingOnManifest(*manifest, *split, *patient_column, *options, *output);
        std::cout << "wrote " << *output << '\n';
        exit_code = 0;
    });
}

}  // namespace

void registerReidCommands(CLI::App& app, int& exit_code) {
    registerReid(app, exit_code);
    registerReidEmbedding(app, exit_code);
}

}  // namespace dpflow::cli
