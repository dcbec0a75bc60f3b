#pragma once

// Tiny inputs for the sweep tests: a handful of real PneumoniaMNIST images (read in place) with
// the shipped 32 px flow and 28 px classifier, and hand-made results.

#include "eval/sweep_results.h"

#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <unistd.h>
#include <vector>

namespace dpflow::test {

/// A fresh temporary folder, removed with the object.
class TemporaryFolder {
public:
    explicit TemporaryFolder(const std::string& name)
        : path_(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TemporaryFolder() { std::filesystem::remove_all(path_); }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

/// Writes a manifest of the first `per_class` test images of each label of the shared
/// PneumoniaMNIST (absolute paths), split "test", and returns its path.
inline std::filesystem::path writeTinyPneumoniaManifest(const std::filesystem::path& folder, int per_class) {
    const std::filesystem::path data = std::filesystem::path(DPFLOW_SHARED_DATA_DIR) / "pneumoniamnist";
    std::ifstream in(data / "labels.csv");
    std::string line;
    std::getline(in, line);
    int counts[2] = {0, 0};
    const std::filesystem::path manifest = folder / "tiny.csv";
    std::ofstream out(manifest);
    out << "file,split,label\n";
    while (std::getline(in, line)) {
        const auto first = line.find(','), second = line.find(',', first + 1);
        const std::string file = line.substr(0, first), split = line.substr(first + 1, second - first - 1);
        const int label = line[second + 1] == '1' ? 1 : 0;
        if (split != "test" || counts[label] >= per_class) continue;
        ++counts[label];
        out << (data / file).string() << ",test," << label << '\n';
    }
    return manifest;
}

inline std::string modelPath(const std::string& name) { return std::string(DPFLOW_SOURCE_DIR) + "/models/" + name; }

/// A sweep of `manifest` with the shipped 32 px flow and 28 px classifier.
inline SweepSettings tinySweepSettings(const std::filesystem::path& manifest, std::vector<std::string> mechanisms,
                                       std::vector<double> epsilons) {
    SweepSettings settings;
    settings.model_path = modelPath("pneumoniamnist-glow32.safetensors");
    settings.classifier_path = modelPath("pneumoniamnist-classifier.safetensors");
    settings.data_path = manifest.string();
    settings.mechanisms = std::move(mechanisms);
    settings.epsilons = std::move(epsilons);
    return settings;
}

/// Results with every kind of value: the original row (eps +inf), present and absent figures.
inline SweepResults exampleResults() {
    SweepResults results;
    results.settings.model_path = "m.safetensors";
    results.settings.classifier_path = "c.safetensors";
    results.settings.data_path = "d.csv";
    results.settings.mechanisms = {"dpglow", "pixel"};
    results.settings.epsilons = {10.0, 1e5};
    results.settings.protocol_b = true;
    results.settings.reidentification = true;
    results.settings.protect_attributes = {"sex:1"};
    results.settings.seed = 7;
    results.settings.latent_decoding = "direct";
    results.hashes = {"aa", "bb", "cc", "dd", "ee", {"ff"}};
    results.settings.allocations = {"m.allocation.json"};
    results.settings.image_borne_attribute = "label";
    results.test_labels = {1, 0, 1};
    results.settings.embedding_path = "attacker.safetensors";
    results.cache_key = "0123456789abcdef0123";
    results.created_utc = "2026-11-22T23:59:59Z";
    results.wall_seconds = 12.5;
    SweepRow original;
    original.mechanism = "original";
    original.epsilon = std::numeric_limits<double>::infinity();
    original.test_images = 90;
    original.protocol_a = SweepAuc{0.95, 0.9, 0.99, 40, 50};
    original.mean_ssim = 1.0;
    original.latent_attacker.identification.top1_rate = 1.0;
    original.latent_attacker.identification.chance_rate = 1.0 / 30.0;
    original.latent_attacker.identification.probes = 60;
    original.latent_attacker.identification.top1_hits = 60;
    original.latent_attacker.identification.films_hit = 30;
    original.latent_attacker.identification.top1_ci_low = 0.94;
    original.latent_attacker.identification.top1_ci_high = 1.0;
    original.latent_attacker.identification.tpr_at_fpr_1pct = 0.9 + 1.0 / 30.0;
    original.latent_attacker.identification.tpr_at_fpr_01pct = 0.5;
    results.original = original;
    for (double eps : results.settings.epsilons) {
        SweepRow row;
        row.mechanism = "dpglow";
        row.epsilon = eps;
        row.noise_scale = 13107.2 / eps;
        row.test_images = 90;
        row.nonfinite_images = eps < 100 ? 3 : 0;
        row.protocol_a = SweepAuc{0.5 + eps / 1e6, 0.4, 0.7 + 1.0 / 3.0 * 0.1, 40, 50};
        row.mean_psnr = 0.1 + 1.0 / 3.0;
        row.pixel_attacker.linkage.top1_rate = 1.0 / 7.0;
        row.embedding_attacker.identification.verification_ci_high = 0.123456789012345678;
        row.image_borne = SweepAuc{0.6 + 1.0 / 3.0 * 0.1, 0.5, 0.7, 40, 50};
        row.image_borne_difference = -1.0 / 7.0;
        row.within_label_concordance = 0.5 + 1.0 / 9.0;
        row.image_borne_difference_p = 0.01;
        row.image_borne_scores = {0.25, 1.0 / 3.0, eps};
        row.image_borne_matched = SweepAuc{0.55 + 1.0 / 3.0 * 0.1, 0.45, 0.65, 38, 47};
        row.image_borne_matched_difference = -1.0 / 9.0;
        row.image_borne_matched_difference_p = 0.2;
        row.disclosed_strata = {0, 1, 0};
        row.latent_attacker.linkage.chance_given_disclosed = 1.0 / 3.0 * 0.1;
        row.latent_attacker.linkage.verification_within_disclosed_auc = 0.5 + 1.0 / 11.0;
        row.score_attacker.linkage.top1_rate = 1.0 / 13.0;
        row.score_attacker.linkage.verification_within_disclosed_auc = 0.7 + 1.0 / 13.0;
        results.rows.push_back(row);
    }
    return results;
}

}  // namespace dpflow::test
