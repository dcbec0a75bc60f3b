#include "commands.h"

#include "phantom/phantom_study.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>
#include <string>

namespace dpflow::cli {
namespace {

struct PhantomArguments {
    PhantomStudyOptions study;
    std::string format = "png";
};

// Reports progress on stderr about every two seconds, so long runs show they are alive
// and short runs stay quiet.
class ProgressReporter {
public:
    void operator()(int done, int total) {
        const auto now = std::chrono::steady_clock::now();
        if (done < total && now - last_ < std::chrono::seconds(2)) return;
        if (done == total && !printed_) return;
        last_ = now;
        printed_ = true;
        std::cerr << "phantom: " << done << "/" << total << " images\n";
    }

private:
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
    bool printed_ = false;
};

}  // namespace

void registerPhantomCommand(CLI::App& app, int& exit_code) {
    auto* command = app.add_subcommand(
        "phantom", "Generate a synthetic chest X-ray study with ground truth (identity, pathology masks, overlays)");
    auto args = std::make_shared<PhantomArguments>();
    command->add_option("--out", args->study.out_dir, "Output folder (created if missing)")->required();
    command->add_option("--patients", args->study.patients, "Number of synthetic patients")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    command->add_option("--images-per-patient", args->study.images_per_patient, "Radiographs per patient")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    command->add_option("--size", args->study.size, "Image side in pixels (64..4096; a clinical detector has 2000 and more)")
        ->check(CLI::Range(kMinPhantomSize, kMaxPhantomSize))
        ->capture_default_str();
    command->add_option("--seed", args->study.seed, "Random seed: the same seed gives the same bytes")
        ->capture_default_str();
    command->add_option("--format", args->format, "png (16-bit) or dcm (12-bit DICOM with a synthetic patient header)")
        ->check(CLI::IsMember({"png", "dcm"}))
        ->capture_default_str();
    command->add_option("--pathology-rate", args->study.pathology_rate, "Chance of a consolidation per image (0..1)")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    command->callback([args, &exit_code] {
        try {
            args->study.format = parsePhantomFormat(args->format);
            ProgressReporter progress;
            const PhantomStudySummary summary = generatePhantomStudy(args->study, std::ref(progress));
            char rate[160];
            std::snprintf(rate, sizeof rate, "%d images, %.2f s, %.1f images/s", summary.images, summary.seconds,
                          summary.imagesPerSecond());
            std::cout << "phantom: wrote " << args->study.patients << " patients x " << args->study.images_per_patient
                      << " images of " << args->study.size << "x" << args->study.size << " to "
                      << args->study.out_dir.string() << " (manifest " << summary.manifest_path.string() << ")\n"
                      << "phantom: " << rate << '\n';
            exit_code = 0;
        } catch (const std::exception& e) {
            std::cerr << "dpflow phantom: error: " << e.what() << '\n';
            exit_code = 1;
        }
    });
}

}  // namespace dpflow::cli
