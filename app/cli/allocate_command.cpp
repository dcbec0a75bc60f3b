#include "commands.h"

#include "eval/latent_allocation_fit.h"
#include "flow/flow_model.h"
#include "flow/runtime.h"
#include "image/png_io.h"
#include "privacy/allocated_noise_plan.h"

#include <fmt/format.h>

#include <iostream>
#include <memory>

namespace dpflow::cli {
namespace {

struct AllocateArguments {
    AllocationFitSettings fit;
    std::string out;
    std::string picture;
    double show_epsilon = 1e5;
    int threads = 0;
};

// One tile per group, left to right in latent order with a gap between levels; three rows:
// the budget per coordinate eps_g / n_g (log scale, black: drawn from the prior), the finding
// weight P_g and the identity weight I_g (linear, white = the largest).
Image allocationPicture(const LatentAllocation& allocation, const std::vector<GroupStatistics>& groups) {
    constexpr int kTile = 12, kRow = 40, kGap = 6;
    int width = 0;
    for (std::size_t g = 0; g < groups.size(); ++g) width += kTile + (g > 0 && groups[g].level != groups[g - 1].level ? kGap : 0);
    Image picture = makeImage(width, 3 * kRow + 2 * kGap);
    for (float& v : picture.pixels) v = 0.25f;
    double max_density = 0.0, min_density = 1e300, max_finding = 0.0, max_identity = 0.0;
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const double density = allocation.groups[g].budget_share / static_cast<double>(allocation.groups[g].size());
        if (density > 0) max_density = std::max(max_density, density), min_density = std::min(min_density, density);
        max_finding = std::max(max_finding, groups[g].finding);
        max_identity = std::max(max_identity, groups[g].identity);
    }
    int x = 0;
    for (std::size_t g = 0; g < groups.size(); ++g) {
        if (g > 0 && groups[g].level != groups[g - 1].level) x += kGap;
        const double density = allocation.groups[g].budget_share / static_cast<double>(allocation.groups[g].size());
        const double span = std::log(max_density) - std::log(min_density);
        const float budget = density <= 0 ? 0.0f
                             : span <= 0 ? 1.0f
                                         : static_cast<float>(0.15 + 0.85 * (std::log(density) - std::log(min_density)) / span);
        const float values[3] = {budget, static_cast<float>(max_finding > 0 ? groups[g].finding / max_finding : 0.0),
                                 static_cast<float>(max_identity > 0 ? groups[g].identity / max_identity : 0.0)};
        for (int row = 0; row < 3; ++row)
            for (int y = 0; y < kRow; ++y)
                for (int dx = 0; dx < kTile - 1; ++dx) picture.at(x + dx, row * (kRow + kGap) + y) = values[row];
        x += kTile;
    }
    return picture;
}

}  // namespace

void registerAllocateCommand(CLI::App& app, int& exit_code) {
    auto* command = app.add_subcommand(
        "allocate", "Compute the allocated mechanism's budget split over latent groups (one per channel of every level) from "
                    "PUBLIC data only: the finding weight and the patients' intraclass correlation of each group on the "
                    "training split, and the shares that minimise the finding-weighted distortion. Writes "
                    "MODEL.allocation.json beside the model (or --out).");
    auto a = std::make_shared<AllocateArguments>();
    command->add_option("--model", a->fit.model_path, "Flow weights (.safetensors) with a latent calibration")->required()->check(CLI::ExistingFile);
    command->add_option("--data", a->fit.data_path, "Manifest with file, split, label, patient and attribute columns")
        ->required()->check(CLI::ExistingFile);
    command->add_option("--splits", a->fit.splits, "Public splits to compute from (never test)")->delimiter(',')->capture_default_str();
    command->add_option("--label-column", a->fit.label_column, "0/1 finding column")->required();
    command->add_option("--patient-column", a->fit.patient_column, "Patient identifier column")->capture_default_str();
    command->add_option("--scheme", a->fit.scheme.name, "weighted (finding over identity) or coarse (coarsest levels only)")
        ->check(CLI::IsMember({"weighted", "coarse"}))->capture_default_str();
    command->add_option("--exclude-below", a->fit.scheme.exclude_below,
                        "weighted: groups whose weight is below this fraction of the largest are drawn from the prior")
        ->capture_default_str();
    command->add_option("--coarse-levels", a->fit.scheme.coarse_levels, "coarse: how many of the coarsest levels get budget")
        ->check(CLI::PositiveNumber)->capture_default_str();
    command->add_option("--out", a->out, "Allocation file (default MODEL.allocation.json beside the model)");
    command->add_option("--picture", a->picture, "Also draw the allocation per level as a PNG");
    command->add_option("--show-epsilon", a->show_epsilon, "eps at which the printed table gives eps_g and b_g")
        ->check(CLI::PositiveNumber)->capture_default_str();
    command->add_option("--threads", a->threads, "CPU threads (0: automatic)");
    command->callback([a, &exit_code] {
        configureThreads(a->threads);
        std::vector<GroupStatistics> statistics;
        const LatentAllocation allocation = fitLatentAllocation(
            a->fit, [](std::size_t done, std::size_t total) {
                if (done == total || done % 256 == 0) std::cerr << fmt::format("\rencoding public images {}/{}", done, total) << std::flush;
            },
            &statistics);
        std::cerr << '\n';
        const std::filesystem::path out = a->out.empty() ? allocationPathBeside(a->fit.model_path) : std::filesystem::path(a->out);
        writeLatentAllocation(out, allocation);
        const LatentAllocation written = readLatentAllocation(out);
        const FlowModel model = FlowModel::load(a->fit.model_path);
        const AllocatedNoisePlan plan =
            planAllocatedNoise(LatentBox{model.calibrationLo(), model.calibrationHi()}, written, a->show_epsilon);
        std::cout << fmt::format("{:<22} {:>5} {:>10} {:>8} {:>9} {:>10} {:>10}\n", "group", "n", "finding P", "ICC I",
                                 "share", "eps_g", "b_g");
        for (std::size_t g = 0; g < written.groups.size(); ++g) {
            const auto& group = written.groups[g];
            const auto& noise = plan.groups[g];
            std::cout << fmt::format("{:<22} {:>5} {:>10.4g} {:>8.3f} {:>9.4f} {:>10} {:>10}\n", group.name, group.size(),
                                     group.finding, group.identity, group.budget_share,
                                     noise.plan ? fmt::format("{:.4g}", noise.plan->epsilon) : "prior",
                                     noise.plan ? fmt::format("{:.4g}", noise.plan->scale) : "-");
        }
        std::cout << fmt::format("{} of {} groups ({} of {} coordinates) drawn from the prior; at eps {:g} the eps_g sum to "
                                 "{:.17g}; one uniform box over the budgeted coordinates would use b = {:.4g}\n",
                                 std::count_if(written.groups.begin(), written.groups.end(),
                                               [](const LatentGroup& g) { return g.drawnFromPrior(); }),
                                 written.groups.size(), written.priorCoordinates(), written.groups.back().end, a->show_epsilon,
                                 plan.epsilonSum(), plan.summary.scale);
        std::cout << fmt::format("allocation {} (SHA-256 {}) from {}\n", out.string(), written.file_sha256, written.public_data);
        if (!a->picture.empty()) {
            writePng(allocationPicture(written, statistics), a->picture, 8);
            std::cout << "picture " << a->picture
                      << " (per group, levels finest to coarsest left to right: budget per coordinate (log; black = prior), "
                         "finding weight, identity weight)\n";
        }
        exit_code = 0;
    });
}

}  // namespace dpflow::cli
