#include "eval/reidentification_attack.h"
#include "eval/roc_auc.h"
#include "eval/sweep_cache.h"
#include "eval/sweep_engine.h"
#include "eval/sweep_summary.h"
#include "flow/flow_model.h"
#include "privacy/latent_allocation.h"
#include "image/sha256.h"
#include "sweep_test_support.h"
#include "../support/command_runner.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

namespace dpflow {
namespace {

TEST(SweepEngine, PixelAucApproachesTheOriginalsAtHugeEpsAndChanceAtTinyEps) {
    test::TemporaryFolder folder("dpflow-sweep-pixel");
    const auto settings = test::tinySweepSettings(test::writeTinyPneumoniaManifest(folder.path(), 20), {"pixel"}, {1.0, 1e9});
    const SweepResults results = computeSweep(settings, hashSweepInputs(settings));
    ASSERT_TRUE(results.original && results.original->protocol_a);
    ASSERT_EQ(results.rows.size(), 2u);
    const SweepAuc& original = *results.original->protocol_a;
    EXPECT_EQ(original.positives, 20u);
    EXPECT_EQ(original.negatives, 20u);
    EXPECT_GT(original.auc, 0.85);
    const SweepRow& tiny = results.rows[0];
    const SweepRow& huge = results.rows[1];
    EXPECT_EQ(tiny.epsilon, 1.0);
    ASSERT_TRUE(tiny.protocol_a && huge.protocol_a);
    EXPECT_NEAR(huge.protocol_a->auc, original.auc, 0.01);
    EXPECT_LE(tiny.protocol_a->ci_low, 0.5);   // chance lies inside the interval
    EXPECT_GE(tiny.protocol_a->ci_high, 0.5);
    EXPECT_GT(*huge.mean_ssim, 0.99);
    EXPECT_LT(*tiny.mean_ssim, 0.2);
    EXPECT_NEAR(*tiny.noise_scale / *huge.noise_scale / 1e9, 1.0, 1e-6);  // b = D / eps (+ grid rounding)
    EXPECT_FALSE(tiny.protocol_b.has_value());
    EXPECT_FALSE(tiny.pixel_attacker.identification.top1_rate.has_value());
}

TEST(SweepEngine, DpGlowAtHugeEpsKeepsTheOriginalsAuc) {
    test::TemporaryFolder folder("dpflow-sweep-dpglow");
    const auto settings = test::tinySweepSettings(test::writeTinyPneumoniaManifest(folder.path(), 10), {"dpglow"}, {1e12});
    const SweepResults results = computeSweep(settings, hashSweepInputs(settings));
    ASSERT_EQ(results.rows.size(), 1u);
    EXPECT_NEAR(results.rows[0].protocol_a->auc, results.original->protocol_a->auc, 0.02);
    EXPECT_GT(*results.rows[0].mean_psnr, 35.0);  // the flow inverts exactly up to float and 8-bit-bin error
    EXPECT_EQ(*results.original->within_label_concordance, 1.0);
    EXPECT_GT(*results.rows[0].within_label_concordance, 0.95);  // the same ranking within each label
}

TEST(SweepEngine, SecondRunWithTheSameInputsIsReadFromTheCache) {
    test::TemporaryFolder folder("dpflow-sweep-rerun");
    auto settings = test::tinySweepSettings(test::writeTinyPneumoniaManifest(folder.path(), 5), {"pixel"}, {10.0});
    SweepRunOptions options;
    options.cache_dir = folder.path() / "cache";
    const SweepOutcome first = runSweep(settings, options);
    EXPECT_FALSE(first.from_cache);
    EXPECT_TRUE(std::filesystem::exists(first.cache_entry));
    const SweepOutcome second = runSweep(settings, options);
    EXPECT_TRUE(second.from_cache);
    EXPECT_EQ(second.results.rows[0].protocol_a->auc, first.results.rows[0].protocol_a->auc);
    EXPECT_EQ(second.results.created_utc, first.results.created_utc);

    settings.seed = 2;
    EXPECT_FALSE(runSweep(settings, options).from_cache);
}

TEST(SweepEngine, ACancelledSweepStopsBeforeTheNextUnitAndCachesNothing) {
    test::TemporaryFolder folder("dpflow-sweep-cancel");
    const auto settings = test::tinySweepSettings(test::writeTinyPneumoniaManifest(folder.path(), 5), {"pixel"}, {10.0, 1e3, 1e5});
    std::size_t reports = 0;
    SweepRunOptions options;
    options.cache_dir = folder.path() / "cache";
    options.on_progress = [&reports](const SweepProgress&) { ++reports; };
    options.is_cancelled = [&reports] { return reports >= 3; };
    EXPECT_THROW(runSweep(settings, options), SweepCancelled);
    EXPECT_EQ(reports, 3u);  // no unit was counted after the request
    EXPECT_FALSE(std::filesystem::exists(options.cache_dir) && !std::filesystem::is_empty(options.cache_dir));
}

TEST(SweepEngine, ChangedDataIsACacheMiss) {
    test::TemporaryFolder folder("dpflow-sweep-changed");
    const auto manifest = test::writeTinyPneumoniaManifest(folder.path(), 5);
    const auto settings = test::tinySweepSettings(manifest, {"pixel"}, {10.0});
    SweepRunOptions options;
    options.cache_dir = folder.path() / "cache";
    EXPECT_FALSE(runSweep(settings, options).from_cache);
    const auto smaller = test::writeTinyPneumoniaManifest(folder.path(), 4);  // rewrites tiny.csv
    EXPECT_FALSE(runSweep(test::tinySweepSettings(smaller, {"pixel"}, {10.0}), options).from_cache);
}

// Patients of two acquisitions each, made of the same real image (probes are then exact copies
// of the gallery image before privatization): 12 test and 12 train patients.
std::filesystem::path writePatientManifest(const std::filesystem::path& folder) {
    const auto tiny = test::writeTinyPneumoniaManifest(folder, 12);
    std::ifstream in(tiny);
    std::string line;
    std::getline(in, line);
    std::ofstream out(folder / "patients.csv");
    out << "file,split,label,patient_id\n";
    for (int i = 0; std::getline(in, line); ++i) {
        const std::string file = line.substr(0, line.find(','));
        const std::string label = line.substr(line.rfind(',') + 1);
        const std::string split = i < 12 ? "test" : "train";
        out << file << ',' << split << ',' << label << ",p" << i << '\n';
        out << file << ',' << split << ',' << label << ",p" << i << '\n';
    }
    return folder / "patients.csv";
}

TEST(SweepEngine, AttackersFindEveryPatientOnOriginalsAndFallTowardsChanceUnderHeavyNoise) {
    test::TemporaryFolder folder("dpflow-sweep-reid");
    auto settings = test::tinySweepSettings(writePatientManifest(folder.path()), {"pixel"}, {1.0});
    settings.reidentification = true;
    settings.embedding_steps = 5;
    const SweepResults results = computeSweep(settings, hashSweepInputs(settings));
    for (SweepAttacker attacker : kSweepAttackers) {
        const SweepAttackerFigures& original = attackerFigures(*results.original, attacker);
        EXPECT_EQ(original.identification.top1_rate, 1.0) << sweepAttackerName(attacker);
        EXPECT_EQ(original.identification.probes, 12u);
        EXPECT_DOUBLE_EQ(*original.identification.chance_rate, 1.0 / 12.0);
        EXPECT_EQ(original.linkage.top1_rate, 1.0);
    }
    EXPECT_LE(*results.rows[0].pixel_attacker.identification.top1_rate, 0.5);
    // Every privatized film is attacked in attack_draws independent draws; the originals once.
    const SweepAttackerFigures& privatized = results.rows[0].pixel_attacker;
    EXPECT_EQ(privatized.identification.probes, 12u * static_cast<std::size_t>(settings.attack_draws));
    EXPECT_EQ(privatized.linkage.probes, 12u * static_cast<std::size_t>(settings.attack_draws));
    EXPECT_EQ(attackerFigures(*results.original, SweepAttacker::Pixel).linkage.probes, 12u);
    // pixel discloses no attribute, and every patient has as many probes: whatever an attack
    // guesses, its chance given the disclosed attributes is 1 / gallery. On the originals each
    // patient has one probe, too few for a verification within the strata; each privatized film
    // is drawn 4 times.
    for (SweepAttacker attacker : kSweepAttackers) {
        for (const SweepRow* row : {&*results.original, &results.rows[0]}) {
            const SweepAttackerFigures& figures = attackerFigures(*row, attacker);
            ASSERT_TRUE(figures.identification.chance_given_disclosed && figures.linkage.chance_given_disclosed);
            EXPECT_NEAR(*figures.identification.chance_given_disclosed, 1.0 / 12.0, 1e-12) << sweepAttackerName(attacker);
            EXPECT_NEAR(*figures.linkage.chance_given_disclosed, 1.0 / 12.0, 1e-12) << sweepAttackerName(attacker);
        }
        EXPECT_FALSE(attackerFigures(*results.original, attacker).identification.verification_within_disclosed_auc);
        EXPECT_TRUE(attackerFigures(results.rows[0], attacker).identification.verification_within_disclosed_auc);
    }
}

TEST(SweepEngine, TrainedReidentificationAndLinkageAttackersAreUsedAndTheirHashesRecorded) {
    test::TemporaryFolder folder("dpflow-sweep-given-attackers");
    const auto manifest = writePatientManifest(folder.path());
    EmbeddingTrainOptions options;
    options.image_size = 32;
    options.base_channels = 4;
    options.embedding_dim = 8;
    options.steps = 5;
    options.patients_per_batch = 4;
    EmbeddingTrainingRun run;
    run.manifest = manifest;
    run.splits = "train";
    run.output = folder.path() / "reid.safetensors";
    trainEmbeddingOnManifest(run, options);
    run.output = folder.path() / "linkage.safetensors";
    run.linkage_views = LinkageViews{test::modelPath("pneumoniamnist-glow32.safetensors"), "dpglow", {1e5}, 3};
    trainEmbeddingOnManifest(run, options);
    std::ifstream card_file(embeddingCardPath(run.output));
    const auto card = nlohmann::json::parse(card_file);
    EXPECT_EQ(card.at("training").at("images_with_privatized_copies"), 2 * card.at("training").at("images").get<int>());
    EXPECT_EQ(card.at("privatized_views").at("model_sha256"), sha256OfFile(run.linkage_views->model));

    auto settings = test::tinySweepSettings(manifest, {"dpglow"}, {1e5});
    settings.reidentification = true;
    settings.embedding_path = (folder.path() / "reid.safetensors").string();
    settings.linkage_embedding_path = (folder.path() / "linkage.safetensors").string();
    const SweepInputHashes hashes = hashSweepInputs(settings);
    EXPECT_EQ(hashes.embedding_sha256, sha256OfFile(settings.embedding_path));
    EXPECT_EQ(hashes.linkage_embedding_sha256, sha256OfFile(settings.linkage_embedding_path));
    const SweepResults results = computeSweep(settings, hashes);
    const SweepAttackerFigures& original = results.original->embedding_attacker;
    EXPECT_EQ(original.identification.top1_rate, 1.0);  // exact copies, whatever the network
    EXPECT_EQ(original.linkage.top1_rate, 1.0);
    ASSERT_TRUE(results.rows[0].embedding_attacker.linkage.top1_rate.has_value());

    SweepSettings without_linkage = settings;
    without_linkage.linkage_embedding_path.clear();
    EXPECT_NE(sweepCacheKey(settings, hashes), sweepCacheKey(without_linkage, hashSweepInputs(without_linkage)));
}

TEST(SweepEngine, ImageBorneMeasureMatchesTheOriginalsAtHugeEpsAndIsReportedAsAPairedDifference) {
    test::TemporaryFolder folder("dpflow-sweep-image-borne");
    auto settings = test::tinySweepSettings(test::writeTinyPneumoniaManifest(folder.path(), 10), {"dpglow"}, {1e12});
    settings.image_borne_attribute = "label";
    const SweepResults results = computeSweep(settings, hashSweepInputs(settings));
    ASSERT_TRUE(results.original->image_borne);
    ASSERT_TRUE(results.rows[0].image_borne);
    EXPECT_NEAR(results.rows[0].image_borne->auc, results.original->image_borne->auc, 0.02);
    ASSERT_TRUE(results.rows[0].image_borne_difference);
    EXPECT_LE(*results.rows[0].image_borne_difference_low, *results.rows[0].image_borne_difference);
    EXPECT_GE(*results.rows[0].image_borne_difference_high, *results.rows[0].image_borne_difference);
    EXPECT_EQ(*results.original->image_borne_difference, 0.0);

    // The per-film scores travel in the JSON, so two rows can be compared film by film afterwards.
    const auto csv = folder.path() / "results.csv";
    writeSweepResults(results, csv);
    const SweepResults read = readSweepResults(csv);
    EXPECT_EQ(read.test_labels.size(), results.original->test_images);
    EXPECT_EQ(read.rows[0].image_borne_scores, results.rows[0].image_borne_scores);
    const test::CommandRun compare =
        test::runDpflow("sweep-compare " + csv.string() + " --first dpglow@1e12 --second original");
    ASSERT_EQ(compare.status, 0) << compare.output;
    EXPECT_NE(compare.output.find("on the same " + std::to_string(read.test_labels.size()) + " films"), std::string::npos)
        << compare.output;
    EXPECT_NE(compare.output.find("paired DeLong"), std::string::npos) << compare.output;
    EXPECT_NE(test::runDpflow("sweep-compare " + csv.string() + " --first dpglow@5 --second original").status, 0);

    settings.image_borne_attribute = "label=0";  // the measure averages over every value: a reference value is refused
    EXPECT_THROW(computeSweep(settings, hashSweepInputs(settings)), std::invalid_argument);
    settings.image_borne_attribute = "sex";
    EXPECT_THROW(computeSweep(settings, hashSweepInputs(settings)), std::invalid_argument);
}

// A copy of the tiny manifest with a second label column, `finding`: the label except on the
// first `flipped` films of each class, so the flow's attribute `label` no longer decides it.
std::filesystem::path withFindingColumn(const std::filesystem::path& manifest, int flipped = 1) {
    std::ifstream in(manifest);
    std::string line;
    std::getline(in, line);
    const std::filesystem::path out_path = manifest.parent_path() / "with-finding.csv";
    std::ofstream out(out_path);
    out << line << ",finding\n";
    int seen[2] = {0, 0};
    while (std::getline(in, line)) {
        const int label = line.back() == '1' ? 1 : 0;
        out << line << ',' << (seen[label]++ < flipped ? 1 - label : label) << '\n';
    }
    return out_path;
}

TEST(SweepEngine, ForAFlowBlindToTheLabelTheImageBorneMeasureIsTheReleasedFilmsScore) {
    test::TemporaryFolder folder("dpflow-sweep-as-released");
    auto settings = test::tinySweepSettings(withFindingColumn(test::writeTinyPneumoniaManifest(folder.path(), 6)), {"dpglow"},
                                            {1e2, 1e12});
    settings.image_borne_as_released = true;
    settings.label_column = "finding";  // the flow's attribute `label` does not decide it
    const SweepResults results = computeSweep(settings, hashSweepInputs(settings));
    ASSERT_TRUE(results.original->image_borne && results.original->protocol_a);
    EXPECT_EQ(results.original->image_borne->auc, results.original->protocol_a->auc);  // an original is its own release
    EXPECT_EQ(*results.original->image_borne_difference, 0.0);
    for (const SweepRow& row : results.rows) {
        ASSERT_TRUE(row.image_borne && row.protocol_a);
        EXPECT_EQ(row.image_borne->auc, row.protocol_a->auc);  // nothing is re-decoded: the film as released
        EXPECT_EQ(row.image_borne_scores.size(), results.test_labels.size());
        ASSERT_TRUE(row.image_borne_difference);
    }
    // eps 1e12: the originals' scores up to the box clip; 6 x 6 pairs, at most one of them reordered
    EXPECT_LE(std::abs(*results.rows[1].image_borne_difference), 1.0 / 36.0 + 1e-12);
    EXPECT_NE(protocolACaveat(results.settings.mechanisms, true).find("never told the finding"), std::string::npos);

    settings.label_column = "label";  // the flow is conditioned on this one: refused, naming the attribute
    try {
        computeSweep(settings, hashSweepInputs(settings));
        ADD_FAILURE() << "a flow conditioned on the label was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("through its attribute 'label'"), std::string::npos) << e.what();
    }
    settings.image_borne_attribute = "label";  // and the two measures exclude each other
    EXPECT_THROW(computeSweep(settings, hashSweepInputs(settings)), std::invalid_argument);
}

TEST(SweepEngine, TheMatchedImageBorneMeasureComparesOnlyFilmsWithTheSameDisclosedAttributes) {
    // dpglow discloses the flow's attribute `label` (kept); the finding is the label but flipped on
    // half the films of each class, so each value of `label` holds 3 films with the finding and 3
    // without. pixel discloses nothing.
    test::TemporaryFolder folder("dpflow-sweep-matched");
    auto settings = test::tinySweepSettings(withFindingColumn(test::writeTinyPneumoniaManifest(folder.path(), 6), 3),
                                            {"dpglow", "pixel"}, {1e12});
    settings.image_borne_as_released = true;
    settings.label_column = "finding";
    const SweepResults results = computeSweep(settings, hashSweepInputs(settings));
    ASSERT_EQ(results.rows.size(), 2u);
    const SweepRow& dpglow = results.rows[0];
    const SweepRow& pixel = results.rows[1];
    ASSERT_EQ(dpglow.disclosed_strata.size(), 12u);
    EXPECT_EQ(std::set<int>(dpglow.disclosed_strata.begin(), dpglow.disclosed_strata.end()).size(), 2u);
    ASSERT_TRUE(dpglow.image_borne_matched && dpglow.image_borne_matched_difference);
    EXPECT_DOUBLE_EQ(dpglow.image_borne_matched->auc,
                     stratifiedDelongAuc(dpglow.image_borne_scores, results.test_labels, dpglow.disclosed_strata).auc);
    EXPECT_EQ(dpglow.image_borne_matched->positives + dpglow.image_borne_matched->negatives, 12u);
    // The originals are judged on the latent mechanism's strata, and differ from themselves by nothing.
    EXPECT_EQ(results.original->disclosed_strata, dpglow.disclosed_strata);
    EXPECT_EQ(*results.original->image_borne_matched_difference, 0.0);
    // Nothing disclosed: one stratum, and the matched measure is the image-borne AUC.
    EXPECT_EQ(pixel.disclosed_strata, std::vector<int>(12, 0));
    ASSERT_TRUE(pixel.image_borne_matched && pixel.image_borne);
    EXPECT_DOUBLE_EQ(pixel.image_borne_matched->auc, pixel.image_borne->auc);

    // Where the disclosed attribute decides the finding but for one film per class, no stratum
    // holds two films of each class: no pair is free of it, and the matched measure is absent.
    settings.data_path = withFindingColumn(test::writeTinyPneumoniaManifest(folder.path(), 6), 1).string();
    settings.mechanisms = {"dpglow"};
    const SweepResults decided = computeSweep(settings, hashSweepInputs(settings));
    EXPECT_TRUE(decided.rows[0].image_borne);
    EXPECT_FALSE(decided.rows[0].image_borne_matched);
}

TEST(SweepEngine, EachAllocationFileIsItsOwnSetOfRowsWithItsHashInTheKey) {
    test::TemporaryFolder folder("dpflow-sweep-allocated");
    auto settings = test::tinySweepSettings(test::writeTinyPneumoniaManifest(folder.path(), 6), {"dpglow", "allocated"}, {1e4});
    const FlowModel model = FlowModel::load(settings.model_path, "cpu");
    // Two data-independent allocations: every level budgeted alike, or the finest level from the prior.
    std::vector<std::string> files;
    for (const double finest_share : {-1.0, 0.0}) {
        LatentAllocation allocation;
        allocation.scheme = "coarse";
        allocation.objective = "test";
        allocation.model_sha256 = sha256OfFile(settings.model_path);
        allocation.public_data = "none (test)";
        const auto& levels = model.layout().levels;
        const double total = static_cast<double>(model.layout().total);
        for (const auto& level : levels) {
            const auto begin = static_cast<std::size_t>(level.offset), end = begin + static_cast<std::size_t>(level.size());
            double share = static_cast<double>(level.size()) / total;
            if (finest_share == 0.0) share = level.offset == 0 ? 0.0 : static_cast<double>(level.size()) / (total - levels[0].size());
            allocation.groups.push_back({"level", begin, end, share, 0.0, 0.0});
        }
        files.push_back((folder.path() / (finest_share == 0.0 ? "coarse.json" : "all.json")).string());
        writeLatentAllocation(files.back(), allocation);
    }
    settings.allocations = files;
    const SweepInputHashes hashes = hashSweepInputs(settings);
    ASSERT_EQ(hashes.allocation_sha256.size(), 2u);
    EXPECT_EQ(hashes.allocation_sha256[1], sha256OfFile(files[1]));
    const SweepResults results = computeSweep(settings, hashes);
    ASSERT_EQ(results.rows.size(), 3u);
    EXPECT_EQ(results.rows[0].mechanism, "dpglow");
    EXPECT_EQ(results.rows[1].mechanism, "allocated:all");
    EXPECT_EQ(results.rows[2].mechanism, "allocated:coarse");
    // The row's b is that of one uniform box over the budgeted elements: dpglow's when every level is
    // budgeted, smaller when the finest level is drawn from the prior and the budget is spent on fewer.
    EXPECT_NEAR(*results.rows[1].noise_scale, *results.rows[0].noise_scale, 1e-9 * *results.rows[0].noise_scale);
    EXPECT_LT(*results.rows[2].noise_scale, *results.rows[0].noise_scale);

    SweepInputHashes edited = hashes;
    edited.allocation_sha256[1] = "changed";
    EXPECT_NE(sweepCacheKey(settings, hashes), sweepCacheKey(settings, edited));
}

TEST(SweepEngine, SettingsThatCannotWorkAreRefusedBeforeAnyWork) {
    SweepSettings settings = test::tinySweepSettings("d.csv", {"dpglow"}, {1.0});
    settings.model_path.clear();
    EXPECT_THROW(validateSweepSettings(settings), std::invalid_argument);  // dpglow needs a model
    settings = test::tinySweepSettings("d.csv", {"pixel"}, {0.0});
    EXPECT_THROW(validateSweepSettings(settings), std::invalid_argument);
    settings = test::tinySweepSettings("d.csv", {"pixel"}, {1.0});
    settings.protocol_a = false;
    EXPECT_THROW(validateSweepSettings(settings), std::invalid_argument);  // nothing to measure
    settings = test::tinySweepSettings("d.csv", {"warp"}, {1.0});
    EXPECT_THROW(validateSweepSettings(settings), std::invalid_argument);
}

}  // namespace
}  // namespace dpflow
