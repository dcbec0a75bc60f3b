#include "preview/preview_benchmark.h"

#include "preview/preview_session.h"
#include "preview/preview_worker.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

namespace dpflow {
namespace {

double millisecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

PreviewRequest benchmarkRequest(const FlowModel& model, PrivacyMechanism mechanism, double epsilon) {
    PreviewRequest request;
    request.settings.mechanism.mechanism = mechanism;
    request.settings.mechanism.epsilon = epsilon;
    for (const auto& attribute : model.card().config.attributes) request.settings.attributes.push_back({attribute.name, false, 0.0});
    return request;
}

// eps for run i of n: log-uniform over 1e6 .. 1e8. The time does not depend on eps, and the shipped
// flows decode to non-finite pixels for much smaller eps (the preview then reports an error).
double sliderEpsilon(int i, int n) { return std::pow(10.0, 6.0 + 2.0 * (n > 1 ? static_cast<double>(i) / (n - 1) : 0.5)); }

}  // namespace

LatencySummary summariseLatencies(std::vector<double> milliseconds) {
    if (milliseconds.empty()) throw std::invalid_argument("no timings to summarise");
    std::sort(milliseconds.begin(), milliseconds.end());
    const auto rank = [&](double p) {
        const auto index = static_cast<std::size_t>(std::ceil(p * milliseconds.size())) - 1;
        return milliseconds[std::min(index, milliseconds.size() - 1)];
    };
    const std::size_t n = milliseconds.size();
    const double median = n % 2 ? milliseconds[n / 2] : 0.5 * (milliseconds[n / 2 - 1] + milliseconds[n / 2]);
    return LatencySummary{static_cast<int>(n), median, rank(0.9)};
}

PreviewBenchmark benchmarkPreview(const FlowModel& model, int runs, int threads, RandomSource& source, const Image& film) {
    if (runs < 1) throw std::invalid_argument("--runs must be at least 1");
    PreviewBenchmark bench;
    bench.device = model.device();
    bench.threads = threads;
    bench.mechanism = model.card().hasCalibration() ? PrivacyMechanism::DpGlow : PrivacyMechanism::Cadp;

    AttributeValues truth;
    for (const auto& attribute : model.card().config.attributes) truth[attribute.name] = attribute.values.front();
    Image image = film;
    if (image.pixels.empty()) {
        const int size = model.card().config.image_size;
        image = makeImage(size, size);
        image.pixels = model.decode(std::vector<float>(static_cast<std::size_t>(model.layout().total), 0.0f), truth);
    }

    PreviewSession session(ModelReference{&model, "bench", ""}, source);
    std::vector<double> encode;
    for (int i = 0; i < 5; ++i) {
        const auto start = std::chrono::steady_clock::now();
        session.setImage(image, truth);
        encode.push_back(millisecondsSince(start));
    }
    bench.encode = summariseLatencies(encode);
    std::vector<double> first;
    for (int i = 0; i < 5; ++i) {
        const auto start = std::chrono::steady_clock::now();
        session.setImage(image, truth);
        session.render(benchmarkRequest(model, bench.mechanism, sliderEpsilon(i, 5)));
        first.push_back(millisecondsSince(start));
    }
    bench.first_preview = summariseLatencies(first);

    for (int i = 0; i < 3; ++i) session.render(benchmarkRequest(model, bench.mechanism, sliderEpsilon(i, 3)));
    std::vector<double> render;
    for (int i = 0; i < runs; ++i)
        render.push_back(session.render(benchmarkRequest(model, bench.mechanism, sliderEpsilon(i, runs))).decode_ms);
    bench.noise_decode = summariseLatencies(render);

    std::mutex mutex;
    std::condition_variable done;
    std::vector<double> latency;
    PreviewCallbacks callbacks;
    callbacks.result = [&](PreviewResult result) {
        const double ms = millisecondsSince(result.submitted);
        std::lock_guard<std::mutex> lock(mutex);
        latency.push_back(ms);
        done.notify_one();
    };
    std::string failure;
    callbacks.error = [&](std::string what, std::string message) {
        std::lock_guard<std::mutex> lock(mutex);
        failure = what + ": " + message;
        done.notify_one();
    };
    {
        PreviewWorker worker(session, callbacks);
        for (int i = 0; i < runs; ++i) {
            worker.submit(benchmarkRequest(model, bench.mechanism, sliderEpsilon(runs - 1 - i, runs)));
            std::unique_lock<std::mutex> lock(mutex);
            done.wait(lock, [&] { return latency.size() == static_cast<std::size_t>(i + 1) || !failure.empty(); });
            if (!failure.empty()) throw std::runtime_error("the preview worker failed: " + failure);
        }
    }
    bench.slider_to_pixels = summariseLatencies(latency);
    return bench;
}

}  // namespace dpflow
