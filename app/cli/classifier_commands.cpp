#include "commands.h"

#include "eval/classifier_evaluation.h"
#include "flow/runtime.h"
#include "image/manifest.h"

#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <memory>
#include <string>

namespace dpflow::cli {
namespace {

std::string duration(double seconds) {
    const auto s = static_cast<long>(std::lround(seconds));
    return s >= 3600 ? fmt::format("{}h{:02}m", s / 3600, s / 60 % 60) : fmt::format("{}m{:02}s", s / 60, s % 60);
}

std::string formatAuc(const AucEstimate& auc) {
    return fmt::format("AUC {:.3f} [{:.3f}, {:.3f}]", auc.auc, auc.ci_low, auc.ci_high);
}

void registerTrain(CLI::App& parent, int& exit_code) {
    auto* command = parent.add_subcommand("train", "Train the downstream CNN on split 'train' of a manifest, select the "
                                                   "epoch on 'val', record the 'test' AUC; writes FILE.safetensors + FILE.json.");
    auto options = std::make_shared<ManifestClassifierOptions>();
    auto manifest = std::make_shared<std::string>();
    auto output = std::make_shared<std::string>();
    auto threads = std::make_shared<int>(0);
    auto fp32 = std::make_shared<bool>(false);
    auto& training = options->training;
    command->add_option("--data", *manifest, "Manifest CSV with file, split and label columns")->required()->check(CLI::ExistingFile);
    command->add_option("--label-column", options->label_column, "Column with 0/1 labels")->capture_default_str();
    command->add_option("--out", *output, "Output weights file (.safetensors)")->required();
    command->add_option("--size", training.image_size, "Model input size in pixels (16..256)")->check(CLI::Range(16, 256))->capture_default_str();
    command->add_option("--epochs", training.epochs, "Training epochs")->check(CLI::PositiveNumber)->capture_default_str();
    command->add_option("--batch", training.batch_size, "Batch size")->check(CLI::PositiveNumber)->capture_default_str();
    command->add_option("--lr", training.learning_rate, "Adam learning rate (cosine decay)")->check(CLI::PositiveNumber)->capture_default_str();
    command->add_option("--channels", training.base_channels, "Width of the first convolution stage")->check(CLI::PositiveNumber)->capture_default_str();
    command->add_option("--seed", training.seed, "Seed for initialisation, shuffling and augmentation")->capture_default_str();
    command->add_option("--train-split", options->train_split, "Split trained on")->capture_default_str();
    command->add_option("--val-split", options->val_split, "Split that selects the epoch")->capture_default_str();
    command->add_option("--test-split", options->test_split, "Split reported in the card ('' to skip)")->capture_default_str();
    command->add_option("--cv-folds", options->cv_folds,
                        "Choose the epoch count by K-fold cross-validation grouped by patient on train + val, then train on "
                        "both (0: select the epoch on val)")
        ->check(CLI::NonNegativeNumber)->capture_default_str();
    command->add_option("--patient-column", options->patient_column, "Column grouping the folds (--cv-folds)")->capture_default_str();
    command->add_flag("--fp32", *fp32, "Store weights as float32 (default float16)");
    command->add_option("--threads", *threads, "CPU threads (0: all cores)")->capture_default_str();
    command->callback([=, &exit_code] {
        configureThreads(*threads);
        options->manifest = *manifest;
        options->output = *output;
        options->storage = *fp32 ? SafetensorsDtype::F32 : SafetensorsDtype::F16;
        options->command_line = commandLine(*command, "dpflow classifier train");
        options->training.on_epoch = [](const ClassifierEpoch& e) {
            std::cerr << fmt::format("epoch {}/{}  loss {:.4f}  val AUC {:.4f}  elapsed {}  ETA {}", e.epoch, e.epochs,
                                     e.train_loss, e.val_auc, duration(e.elapsed_seconds), duration(e.eta_seconds))
                      << std::endl;
        };
        const auto model = trainClassifierOnManifest(*options);
        const auto& card = model.card();
        std::cout << fmt::format("wrote {} (card {})\n", options->output.string(), classifierCardPath(options->output).string());
        std::cout << fmt::format("selected epoch {} of {}, val AUC {:.4f}\n", card.selected_epoch, card.epochs,
                                 card.val_auc.value_or(NAN));
        if (card.test)
            std::cout << fmt::format("{}: AUC {:.3f} [{:.3f}, {:.3f}]  ({} positives, {} negatives)\n", card.test->split,
                                     card.test->auc, card.test->ci_low, card.test->ci_high, card.test->positives,
                                     card.test->negatives);
        exit_code = 0;
    });
}

void registerEval(CLI::App& parent, int& exit_code) {
    auto* command = parent.add_subcommand("eval", "ROC AUC (95% DeLong CI) of a classifier on one split of a manifest.");
    auto model_path = std::make_shared<std::string>();
    auto manifest = std::make_shared<std::string>();
    auto split = std::make_shared<std::string>("test");
    auto label_column = std::make_shared<std::string>();
    auto threads = std::make_shared<int>(0);
    command->add_option("--model", *model_path, "Classifier weights (.safetensors)")->required()->check(CLI::ExistingFile);
    command->add_option("--data", *manifest, "Manifest CSV")->required()->check(CLI::ExistingFile);
    command->add_option("--split", *split, "Split to evaluate ('' for all rows)")->capture_default_str();
    command->add_option("--label-column", *label_column, "Column with 0/1 labels (default: the model's)");
    command->add_option("--threads", *threads, "CPU threads (0: all cores)")->capture_default_str();
    command->callback([=, &exit_code] {
        configureThreads(*threads);
        const auto model = BinaryClassifier::load(*model_path);
        const auto column = label_column->empty() ? model.card().label_column : *label_column;
        const auto data = loadLabelledImages(Manifest::read(*manifest), *split, column);
        const auto result = evaluateClassifier(model, data);
        if (!result.note.empty()) std::cerr << "note: " << result.note << '\n';
        std::cout << formatAuc(result.auc) << '\n';
        std::cout << fmt::format("cases: {} positives, {} negatives\n", result.auc.positives, result.auc.negatives);
        exit_code = 0;
    });
}

}  // namespace

void registerClassifierCommands(CLI::App& app, int& exit_code) {
    auto* classifier = app.add_subcommand("classifier", "Downstream classifier: train on a manifest, evaluate ROC AUC.");
    classifier->require_subcommand(1);
    registerTrain(*classifier, exit_code);
    registerEval(*classifier, exit_code);
}

}  // namespace dpflow::cli
