#include "commands.h"

#include "flow/flow_model.h"
#include "flow/runtime.h"
#include "image/image_reader.h"
#include "preview/busy_core.h"
#include "preview/model_location.h"
#include "preview/preview_benchmark.h"
#include "privacy/random_source.h"

#include <fmt/format.h>

#include <chrono>
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
    std::string image;
    bool under_load = false;
};

std::string describe(const LatencySummary& s) {
    return fmt::format("median {:.1f} ms, p90 {:.1f} ms over {} runs", s.median_ms, s.p90_ms, s.runs);
}

void printTimings(const PreviewBenchmark& bench) {
    std::cout << fmt::format("encode          {}\n", describe(bench.encode))
              << fmt::format("first preview   {}  (fit + encode + noise + decode)\n", describe(bench.first_preview))
              << fmt::format("noise + decode  {}\n", describe(bench.noise_decode))
              << fmt::format("slider->pixels  {}\n", describe(bench.slider_to_pixels));
}

std::string ratio(const LatencySummary& loaded, const LatencySummary& quiet) {
    return fmt::format("{:.2f}x (median), {:.2f}x (p90)", loaded.median_ms / quiet.median_ms, loaded.p90_ms / quiet.p90_ms);
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
    command->add_option("--image", a->image, "A film (PNG or DICOM) to preview instead of the model's mode image; its read "
                                              "time is reported beside the first preview")
        ->check(CLI::ExistingFile);
    command->add_flag("--under-load", a->under_load,
                      "Run the benchmark again with one core kept busy by another process, and print the ratios");
    command->callback([a, &exit_code] {
        configureThreads(a->threads);
        const std::filesystem::path path =
            a->model.empty() ? locateShippedModel(currentExecutable(), kDefaultStudioModel) : std::filesystem::path(a->model);
        const FlowModel model = FlowModel::load(path, a->device);
        SystemRandomSource source;
        const int threads = a->threads > 0 ? a->threads : defaultThreadCount();
        Image film;
        double read_ms = 0.0;
        if (!a->image.empty()) {
            const auto start = std::chrono::steady_clock::now();
            film = readImage(a->image);
            read_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        }
        const PreviewBenchmark bench = benchmarkPreview(model, a->runs, threads, source, film);
        const auto& size = model.card().config.image_size;
        std::cout << fmt::format("model           {} ({}x{}, D = {})\n", path.string(), size, size, model.layout().total)
                  << fmt::format("device          {}, {} thread(s)\n", bench.device, bench.threads)
                  << fmt::format("mechanism       {}\n", mechanismName(bench.mechanism));
        if (!a->image.empty()) {
            std::cout << fmt::format("film            {} ({}x{}), read in {:.1f} ms (not in the first preview)\n", a->image,
                                     film.width, film.height, read_ms);
        }
        printTimings(bench);
        if (a->under_load) {
            PreviewBenchmark loaded;
            {
                const BusyCore busy;
                loaded = benchmarkPreview(model, a->runs, threads, source, film);
            }
            std::cout << "with one core kept busy by another process:\n";
            printTimings(loaded);
            std::cout << fmt::format("under load / quiet: noise + decode {}; slider->pixels {}\n",
                                     ratio(loaded.noise_decode, bench.noise_decode),
                                     ratio(loaded.slider_to_pixels, bench.slider_to_pixels));
        }
        exit_code = 0;
    });
}

}  // namespace dpflow::cli
