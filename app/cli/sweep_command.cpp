#include "commands.h"

#include "eval/roc_auc.h"
#include "eval/sweep_engine.h"
#include "eval/sweep_summary.h"
#include "flow/runtime.h"
#include "preview/model_location.h"
#include "render/sweep_plot.h"

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

std::string aucText(const std::optional<SweepAuc>& auc) {
    return auc ? fmt::format("{:.3f} [{:.3f}, {:.3f}]", auc->auc, auc->ci_low, auc->ci_high) : std::string("-");
}

std::string rateText(const std::optional<double>& value) { return value ? fmt::format("{:.3f}", *value) : "-"; }

// A paired difference from the originals with its 95% CI and p, as a parenthesis opened by `label`.
std::string differenceText(const char* label, double difference, double low, double high, double p) {
    return fmt::format(" ({}{:+.3f} [{:+.3f}, {:+.3f}], p {:.3g})", label, difference, low, high, p);
}

void printRow(const SweepRow& row, bool reid) {
    std::cout << fmt::format("{:<12} {:>9} {:>9}  a {:<22} b {:<22} SSIM {:>5} PSNR {:>5}", row.mechanism,
                             std::isinf(row.epsilon) ? std::string("-") : fmt::format("{:g}", row.epsilon),
                             row.noise_scale ? fmt::format("{:.3g}", *row.noise_scale) : std::string("-"),
                             aucText(row.protocol_a), aucText(row.protocol_b), rateText(row.mean_ssim),
                             row.mean_psnr ? fmt::format("{:.1f}", *row.mean_psnr) : std::string("-"));
    if (reid) {
        for (SweepAttacker attacker : kSweepAttackers) {
            const SweepAttackerFigures& f = attackerFigures(row, attacker);
            if (!f.measured()) continue;  // a file written before this attacker
            std::cout << fmt::format("  {} {}/{} v{}", sweepAttackerName(attacker), rateText(f.identification.top1_rate),
                                     rateText(f.linkage.top1_rate), rateText(f.identification.verification_auc));
        }
    }
    if (row.within_label_concordance) std::cout << fmt::format("  within-label C {:.3f}", *row.within_label_concordance);
    if (row.image_borne) {
        std::cout << "  image-borne " << aucText(row.image_borne);
        if (row.image_borne_difference && row.mechanism != "original")
            std::cout << differenceText("vs originals ", *row.image_borne_difference, *row.image_borne_difference_low,
                                        *row.image_borne_difference_high, *row.image_borne_difference_p);
    }
    if (row.image_borne_matched) {
        std::cout << "  matched " << aucText(row.image_borne_matched);
        if (row.image_borne_matched_difference && row.mechanism != "original")
            std::cout << differenceText("", *row.image_borne_matched_difference, *row.image_borne_matched_difference_low,
                                        *row.image_borne_matched_difference_high, *row.image_borne_matched_difference_p);
    }
    if (row.nonfinite_images > 0) std::cout << fmt::format("  ({} images decoded with NaN/inf pixels)", row.nonfinite_images);
    std::cout << '\n';
}

// The table, the attackers' strength on the originals, the caveat and the verdict.
void printResults(const SweepResults& results) {
    const bool reid = results.settings.reidentification;
    std::cout << "mechanism       eps         b  utility (AUC [95% CI])" << (reid ? "  attacker top-1 reid/linkage v=verification AUC" : "")
              << '\n';
    if (results.original) printRow(*results.original, reid);
    for (const SweepRow& row : results.rows) printRow(row, reid);
    if (const std::string caveat = protocolACaveat(results.settings.mechanisms, results.settings.image_borne_as_released); !caveat.empty() && results.settings.protocol_a)
        std::cout << "note: " << caveat << '\n';
    if (results.original && reid) {
        std::cout << "attackers on the originals (their strength, beside every figure they give):\n";
        for (SweepAttacker attacker : kSweepAttackers) {
            const SweepAttackerFigures& f = attackerFigures(*results.original, attacker);
            if (!f.measured()) {
                std::cout << fmt::format("  {:<9} not in this file (written before the attacker existed): not judged\n",
                                         sweepAttackerName(attacker));
                continue;
            }
            std::cout << fmt::format("  {:<9} identification {}\n  {:<9} linkage        {}\n", sweepAttackerName(attacker),
                                     describeAttackStrength(f.identification), "", describeAttackStrength(f.linkage));
        }
    }
    if (results.rows.size() > 0 && results.rows.front().image_borne_matched)
        std::cout << "note: matched = the image-borne AUC over pairs of films with and without the finding that share every "
                     "disclosed attribute but the label (the originals row: the strata of the latent mechanisms); no "
                     "disclosed attribute can move it\n";
    for (const MechanismVerdict& verdict : sweepVerdicts(results)) std::cout << "verdict: " << describeVerdict(verdict) << '\n';
    if (reid)
        for (const MechanismVerdict& verdict :
             sweepVerdicts(results, ChanceBaseline::DisclosedAttributes))
            std::cout << "verdict: " << describeVerdict(verdict) << '\n';
}

void registerSweepReport(CLI::App& app, int& exit_code) {
    auto* command = app.add_subcommand("sweep-report", "Print what a results CSV of `dpflow sweep` holds (its JSON beside it): "
                                                       "the table, each attacker's strength on the originals and the verdict. "
                                                       "Computes nothing.");
    auto csv = std::make_shared<std::string>();
    command->add_option("results", *csv, "Results CSV (e.g. models/nih128-glow.sweep.csv)")->required()->check(CLI::ExistingFile);
    command->callback([csv, &exit_code] {
        const SweepResults results = readSweepResults(*csv);
        std::cout << fmt::format("{}: computed {} in {} on {} (split '{}')\n", *csv, results.created_utc,
                                 duration(results.wall_seconds), results.settings.data_path, results.settings.split);
        printResults(results);
        exit_code = 0;
    });
}

// The row named "MECHANISM@EPS" (or "original"), with its per-film image-borne scores.
const SweepRow& rowNamed(const SweepResults& results, const std::string& name, const char* option) {
    if (name == "original" && results.original) return *results.original;
    const auto at = name.rfind('@');
    if (at == std::string::npos) throw CLI::ValidationError(option, "name a row as MECHANISM@EPS (e.g. dpglow@1e5) or original");
    const std::string mechanism = name.substr(0, at);
    double epsilon = 0.0;
    try {
        epsilon = std::stod(name.substr(at + 1));
    } catch (const std::exception&) {
        throw CLI::ValidationError(option, "'" + name.substr(at + 1) + "' is not a number");
    }
    for (const SweepRow& row : results.rows)
        if (row.mechanism == mechanism && std::abs(row.epsilon - epsilon) <= 1e-9 * epsilon) return row;
    throw CLI::ValidationError(option, "the results have no row " + mechanism + " at eps " + fmt::format("{:g}", epsilon));
}

void registerSweepCompare(CLI::App& app, int& exit_code) {
    auto* command = app.add_subcommand(
        "sweep-compare", "Compare the image-borne AUC of two rows of one sweep film by film (paired DeLong test on the same "
                         "test films): e.g. an allocation against uniform dpglow at the eps where both reach the same "
                         "empirical privacy. Needs a sweep run with --image-borne. Computes nothing else.");
    auto csv = std::make_shared<std::string>();
    auto first = std::make_shared<std::string>(), second = std::make_shared<std::string>();
    command->add_option("results", *csv, "Results CSV of `dpflow sweep --image-borne`")->required()->check(CLI::ExistingFile);
    command->add_option("--first", *first, "MECHANISM@EPS, or original")->required();
    command->add_option("--second", *second, "MECHANISM@EPS, or original")->required();
    auto matched = std::make_shared<bool>(false);
    command->add_flag("--matched", *matched,
                      "Compare over pairs of films with and without the finding that share their disclosed attributes "
                      "(both rows must disclose the same ones), as the sweep's matched column");
    command->callback([=, &exit_code] {
        const SweepResults results = readSweepResults(*csv);
        const SweepRow& a = rowNamed(results, *first, "--first");
        const SweepRow& b = rowNamed(results, *second, "--second");
        if (a.image_borne_scores.empty() || b.image_borne_scores.empty() ||
            a.image_borne_scores.size() != results.test_labels.size() || b.image_borne_scores.size() != results.test_labels.size())
            throw std::runtime_error(*csv + " holds no per-film image-borne scores for these rows: run the sweep with --image-borne");
        if (*matched && (a.disclosed_strata.size() != results.test_labels.size() || a.disclosed_strata != b.disclosed_strata))
            throw std::runtime_error(a.disclosed_strata.empty() || b.disclosed_strata.empty()
                                         ? *csv + " holds no disclosed strata for these rows: run the sweep again with this version"
                                         : *first + " and " + *second + " disclose different attributes: no pairs are matched in both");
        const PairedAucComparison paired =
            *matched ? pairedStratifiedDelongTest(a.image_borne_scores, b.image_borne_scores, results.test_labels, a.disclosed_strata)
                     : pairedDelongTest(a.image_borne_scores, b.image_borne_scores, results.test_labels);
        constexpr double kZ95 = 1.959963984540054;
        std::cout << fmt::format("image-borne AUC{} {} {:.3f} [{:.3f}, {:.3f}] vs {} {:.3f} [{:.3f}, {:.3f}] on the same {} films "
                                 "({} with the finding)\n",
                                 *matched ? " (matched on the disclosed attributes)" : "",
                                 *first, paired.first.auc, paired.first.ci_low, paired.first.ci_high, *second, paired.second.auc,
                                 paired.second.ci_low, paired.second.ci_high, results.test_labels.size(), paired.first.positives);
        std::cout << fmt::format("difference {:+.3f} [{:+.3f}, {:+.3f}] (95% CI, paired DeLong), z {:.2f}, two-sided p {:.3g}\n",
                                 paired.difference, paired.difference - kZ95 * paired.standard_error,
                                 paired.difference + kZ95 * paired.standard_error, paired.z, paired.p_value);
        exit_code = 0;
    });
}

}  // namespace

void registerSweepCommand(CLI::App& app, int& exit_code) {
    registerSweepReport(app, exit_code);
    registerSweepCompare(app, exit_code);
    auto* command = app.add_subcommand(
        "sweep", "Utility (classifier AUC, protocols a/b) and re-identification risk of privatized images over an eps "
                 "grid; writes results CSV + JSON, a plot (PNG, PDF), and caches the figures.");
    auto settings = std::make_shared<SweepSettings>();
    auto out = std::make_shared<std::string>();
    auto protocol = std::make_shared<std::string>("a");
    auto cache_dir = std::make_shared<std::string>();
    auto no_cache = std::make_shared<bool>(false);
    auto recompute = std::make_shared<bool>(false);
    auto threads = std::make_shared<int>(0);
    settings->mechanisms = {"dpglow", "pixel"};
    command->add_option("--model", settings->model_path, "Flow (.safetensors): needed by dpglow, cadp and --reid")->check(CLI::ExistingFile);
    command->add_option("--classifier", settings->classifier_path, "Downstream classifier trained on originals (.safetensors)")
        ->required()->check(CLI::ExistingFile);
    command->add_option("--data", settings->data_path, "Manifest CSV (file, split, label, attribute and patient columns)")
        ->required()->check(CLI::ExistingFile);
    command->add_option("--mechanism", settings->mechanisms, "Mechanisms, comma-separated: dpglow, cadp, pixel, dppix, allocated")
        ->delimiter(',')->check(CLI::IsMember({"dpglow", "cadp", "pixel", "dppix", "allocated"}))->capture_default_str();
    command->add_option("--allocation", settings->allocations,
                        "allocated: allocation files from `dpflow allocate`, comma-separated, one set of rows each "
                        "(default MODEL.allocation.json beside the model)")
        ->delimiter(',')->check(CLI::ExistingFile);
    command->add_option("--image-borne", settings->image_borne_attribute,
                        "LABEL: also score the image-borne measure: every released image re-encoded under its released "
                        "attributes, decoded under every value of the label attribute LABEL (e.g. label) and the classifier's "
                        "scores averaged, so the disclosed label cannot paint the finding");
    command->add_flag("--image-borne-as-released", settings->image_borne_as_released,
                      "For a flow NOT conditioned on the label (e.g. nih128-glow-unlabelled): the image-borne measure is the "
                      "classifier's score of each released film as it is, its decoder never having been told the finding; "
                      "refused when a flow attribute carries the label");
    command->add_option("--epsilons", settings->epsilons, "eps values, comma-separated (e.g. 1e2,1e4,1e6)")
        ->delimiter(',')->required()->check(CLI::PositiveNumber);
    command->add_option("--protocol", *protocol, "Utility protocol: a (classifier trained on originals), b (trained on "
                                                 "privatized training images), both, or none")
        ->check(CLI::IsMember({"a", "b", "both", "none"}))->capture_default_str();
    command->add_option("--protocol-b-epochs", settings->protocol_b_epochs, "Training epochs of the protocol (b) classifier")
        ->check(CLI::PositiveNumber)->capture_default_str();
    command->add_option("--protocol-b-max-train", settings->protocol_b_max_training_images,
                        "At most this many training images for protocol (b) (0: all)")->capture_default_str();
    command->add_flag("--reid", settings->reidentification, "Re-identification by the pixel, embedding and flow-latent attackers");
    command->add_option("--embedding", settings->embedding_path,
                        "Trained embedding attacker (dpflow reid-embedding); default: the one shipped beside --model "
                        "(<family>-reid-embedding.safetensors) when it exists, else one trained on --train-split")
        ->check(CLI::ExistingFile);
    command->add_option("--linkage-embedding", settings->linkage_embedding_path,
                        "Trained linkage attacker (dpflow reid-embedding --linkage-model) for the embedding attacker's "
                        "linkage figures; default: the one shipped beside --model (<family>-linkage-embedding.safetensors) "
                        "when it exists")
        ->check(CLI::ExistingFile);
    auto train_embedding = std::make_shared<bool>(false);
    command->add_flag("--train-embedding", *train_embedding,
                      "Train the embedding attacker on --train-split (--embedding-steps) even when one is shipped");
    command->add_option("--attack-draws", settings->attack_draws,
                        "Independent privatizations of each test film the attackers see (probes = films x draws); one draw "
                        "cannot show linkage at chance")->check(CLI::PositiveNumber)->capture_default_str();
    command->add_option("--embedding-steps", settings->embedding_steps, "Training steps of the embedding attacker when it is trained")
        ->check(CLI::PositiveNumber)->capture_default_str();
    command->add_option("--split", settings->split, "Split evaluated ('' for all rows)")->capture_default_str();
    command->add_option("--train-split", settings->training_split, "Split for protocol (b) and the embedding attacker")->capture_default_str();
    command->add_option("--max-images", settings->max_images, "At most this many test images, in manifest order (0: all)")
        ->capture_default_str();
    command->add_option("--label-column", settings->label_column, "Column with 0/1 labels (default: the classifier's)");
    command->add_option("--patient-column", settings->patient_column, "Column identifying the patient (--reid)")->capture_default_str();
    command->add_option("--keep", settings->keep_attributes, "Attributes disclosed exactly (dpglow, cadp; default: all), comma-separated")
        ->delimiter(',');
    command->add_option("--protect", settings->protect_attributes, "Protected attributes NAME:EPS (dpglow, cadp), comma-separated")
        ->delimiter(',');
    command->add_option("--decoding", settings->latent_decoding, "dpglow, cadp: decode u~ directly or shrunk towards the prior mode")
        ->check(CLI::IsMember({"shrink", "direct"}))->capture_default_str();
    command->add_option("--seed", settings->seed, "Seed of the evaluation noise (figures only, never a release)")->capture_default_str();
    command->add_option("--out", *out, "Results CSV; the JSON, PNG and PDF go beside it")->required();
    command->add_option("--cache-dir", *cache_dir, "Cache of computed sweeps (default: sweep-cache beside --out)");
    command->add_flag("--no-cache", *no_cache, "Neither read nor write the cache");
    command->add_flag("--recompute", *recompute, "Compute even when the cache holds these figures (and overwrite them)");
    command->add_option("--threads", *threads, "CPU threads (0: the default for this machine)")->capture_default_str();
    command->callback([=, &exit_code] {
        configureThreads(*threads);
        settings->protocol_a = *protocol == "a" || *protocol == "both";
        settings->protocol_b = *protocol == "b" || *protocol == "both";
        if (*train_embedding && !settings->embedding_path.empty())
            throw CLI::ValidationError("--train-embedding", "give either --embedding FILE or --train-embedding, not both");
        if (settings->reidentification && !settings->model_path.empty()) {
            const ShippedAttackers shipped = shippedAttackersFor(settings->model_path);
            if (!*train_embedding && settings->embedding_path.empty()) settings->embedding_path = shipped.reidentification.string();
            if (settings->linkage_embedding_path.empty()) settings->linkage_embedding_path = shipped.linkage.string();
        }
        if (settings->reidentification) {
            std::cout << (settings->embedding_path.empty()
                              ? fmt::format("embedding attacker: trained here on split '{}' ({} steps)\n",
                                            settings->training_split, settings->embedding_steps)
                              : fmt::format("embedding attacker: {}\n", settings->embedding_path));
            std::cout << (settings->linkage_embedding_path.empty()
                              ? std::string("linkage by the same embedding (no linkage attacker given)\n")
                              : fmt::format("linkage attacker: {}\n", settings->linkage_embedding_path));
        }
        const std::filesystem::path csv = *out;
        if (!csv.parent_path().empty()) std::filesystem::create_directories(csv.parent_path());
        SweepRunOptions options;
        if (!*no_cache) options.cache_dir = cache_dir->empty() ? csv.parent_path() / "sweep-cache" : std::filesystem::path(*cache_dir);
        options.recompute = *recompute;
        options.on_progress = [last = std::make_shared<double>(-1e9)](const SweepProgress& p) {
            // One line at most every two seconds, and the last one: enough to follow, little to scroll.
            if (p.done != p.total && p.elapsed_seconds - *last < 2.0) return;
            *last = p.elapsed_seconds;
            std::cerr << fmt::format("[{}/{} {:3.0f}%] {}  elapsed {}  ETA {}", p.done, p.total,
                                         100.0 * static_cast<double>(p.done) / static_cast<double>(p.total), p.stage,
                                         duration(p.elapsed_seconds), duration(p.eta_seconds))
                          << std::endl;
        };
        const SweepOutcome outcome = runSweep(*settings, options);
        const SweepResults& results = outcome.results;
        writeSweepResults(results, csv);
        const SweepPlotFiles plot = sweepPlotPaths(csv);
        writeSweepPlot(results, plot);

        if (outcome.from_cache)
            std::cout << fmt::format("cached figures from {} (computed {} in {})\n", outcome.cache_entry.string(),
                                     results.created_utc, duration(results.wall_seconds));
        else
            std::cout << fmt::format("computed in {}\n", duration(results.wall_seconds));
        printResults(results);
        std::cout << fmt::format("wrote {}, {}, {}, {}\n", csv.string(), sweepJsonPath(csv).string(), plot.png.string(),
                                 plot.pdf.string());
        exit_code = 0;
    });
}

}  // namespace dpflow::cli
