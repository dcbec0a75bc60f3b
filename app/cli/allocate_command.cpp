#include "commands.h"

#include "eval/latent_allocation_fit.h"
#include "flow/flow_model.h"
#include "flow/runtime.h"
#include "image/png_io.h"
#include "privacy/allocated_noise_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
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

// The allocation per level: one column per level (finest left), three rows: the budget per
// coordinate eps_g / n_g (log scale; black: drawn from the prior), the finding weight P_j and the
// identity weight I_j (linear, white = the 99th percentile over the latent). Each level is a mosaic of its
// channels, each channel its H x W map, so the rows show where on the film the weights lie.
Image allocationPicture(const LatentAllocation& allocation, const CoordinateStatistics& statistics, const LatentLayout& layout) {
    constexpr int kPanel = 128, kGap = 8;
    const std::size_t dimension = static_cast<std::size_t>(layout.total);
    std::vector<double> density(dimension, 0.0);
    for (const LatentGroup& group : allocation.groups)
        for (std::size_t j = group.begin; j < group.end; ++j) density[j] = group.budget_share / static_cast<double>(group.size());
    double low = INFINITY, high = 0.0;
    for (double d : density)
        if (d > 0) low = std::min(low, d), high = std::max(high, d);
    // White at the 99th percentile, so a few extreme coordinates do not leave every map black.
    const auto percentile99 = [](std::vector<double> values) {
        std::nth_element(values.begin(), values.begin() + static_cast<long>(values.size() * 99 / 100), values.end());
        return values[values.size() * 99 / 100];
    };
    const double finding_max = percentile99(statistics.finding), identity_max = percentile99(statistics.identity);
    const auto budgetShade = [&](std::size_t j) -> float {
        if (density[j] <= 0) return 0.0f;
        return high > low ? static_cast<float>(0.15 + 0.85 * std::log(density[j] / low) / std::log(high / low)) : 1.0f;
    };
    const auto findingShade = [&](std::size_t j) {
        return static_cast<float>(finding_max > 0 ? std::min(1.0, statistics.finding[j] / finding_max) : 0.0);
    };
    const auto identityShade = [&](std::size_t j) {
        return static_cast<float>(identity_max > 0 ? std::min(1.0, statistics.identity[j] / identity_max) : 0.0);
    };
    const std::function<float(std::size_t)> shades[3] = {budgetShade, findingShade, identityShade};

    const int levels = static_cast<int>(layout.levels.size());
    Image picture = makeImage(levels * (kPanel + kGap) + kGap, 3 * (kPanel + kGap) + kGap);
    for (float& v : picture.pixels) v = 0.35f;
    for (int l = 0; l < levels; ++l) {
        const LatentLevel& level = layout.levels[static_cast<std::size_t>(l)];
        const int grid_columns = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(level.channels))));
        const int scale = std::max(1, kPanel / (grid_columns * (level.width + 1)));
        for (int row = 0; row < 3; ++row)
            for (int channel = 0; channel < level.channels; ++channel) {
                const int x0 = kGap + l * (kPanel + kGap) + (channel % grid_columns) * (level.width * scale + 1);
                const int y0 = kGap + row * (kPanel + kGap) + (channel / grid_columns) * (level.height * scale + 1);
                for (int y = 0; y < level.height * scale; ++y)
                    for (int x = 0; x < level.width * scale; ++x) {
                        const std::size_t j = static_cast<std::size_t>(level.offset) +
                                              (static_cast<std::size_t>(channel) * level.height + y / scale) * level.width + x / scale;
                        if (x0 + x < picture.width && y0 + y < picture.height) picture.at(x0 + x, y0 + y) = shades[row](j);
                    }
            }
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
        CoordinateStatistics statistics;
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
            writePng(allocationPicture(written, statistics, model.layout()), a->picture, 8);
            std::cout << "picture " << a->picture
                      << ": one column per level, finest left, each a mosaic of its channels' maps; rows: budget per "
                         "coordinate (log; black = drawn from the prior), finding weight P_j, identity weight I_j (white: their 99th percentiles)\n";
        }
        exit_code = 0;
    });
}

}  // namespace dpflow::cli
