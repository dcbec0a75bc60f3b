#include "commands.h"

#include "flow/flow_model.h"
#include "flow/runtime.h"
#include "preview/model_location.h"
#include "preview/preview_benchmark.h"
#include "privacy/random_source.h"

#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>

namespace dpflow::cli {
namespace {

struct BenchArguments {
    std::string model;
    int runs = 50;
    int threads = 0;
    std::string device;
};

std::string describe(const LatencySummary& s) {
    return fmt::format("median {:.1f} ms, p90 {:.1f} ms over {} runs", s.median_ms, s.p90_ms, s.runs);
}

}  // namespace

void registerBenchCommand(CLI::App& app, int& exit_code) {
    auto* command = app.add_subcommand("bench", "Time the studio's preview pipeline: encode, noise + decode, and "
                                                "slider-to-pixels latency through the preview worker.");
    auto a = std::make_shared<BenchArguments>();
    command->add_option("--model", a->model, "Flow weights (.safetensors); default: the studio's default model")
        ->check(CLI::ExistingFile);
    command->add_option("--runs", a->runs, "Timed renders and slider moves")->check(CLI::PositiveNumber)->capture_default_str();
    command->add_option("--threads", a->threads, "CPU threads (0: automatic, half the cores, 1 to 4)")->capture_default_str();
    command->add_option("--device", a->device, "cpu or cuda (default: cuda when available)")
        ->check(CLI::IsMember({"cpu", "cuda"}));
    command->callback([a, &exit_code] {
        configureThreads(a->threads);
        const std::filesystem::path path =
            a->model.empty() ? locateShippedModel(currentExecutable(), kDefaultStudioModel) : std::filesystem::path(a->model);
        const FlowModel model = FlowModel::load(path, a->device);
        SystemRandomSource source;
        const int threads = a->threads > 0 ? a->threads : defaultThreadCount();
        const PreviewBenchmark bench = benchmarkPreview(model, a->runs, threads, source);
        const auto& size = model.card().config.image_size;
        std::cout << fmt::format("model           {} ({}x{}, D = {})\n", path.string(), size, size, model.layout().total)
                  << fmt::format("device          {}, {} thread(s)\n", bench.device, bench.threads)
                  << fmt::format("mechanism       {}\n", mechanismName(bench.mechanism))
                  << fmt::format("encode          {}\n", describe(bench.encode))
                  << fmt::format("noise + decode  {}\n", describe(bench.noise_decode))
                  << fmt::format("slider->pixels  {}\n", describe(bench.slider_to_pixels));
        exit_code = 0;
    });
}

}  // namespace dpflow::cli
