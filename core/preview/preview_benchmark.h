#pragma once

#include "flow/flow_model.h"
#include "privacy/mechanism_settings.h"
#include "privacy/random_source.h"

#include <string>
#include <vector>

namespace dpflow {

/// Median and 90th percentile of a set of timings.
struct LatencySummary {
    int runs = 0;
    double median_ms = 0.0;
    double p90_ms = 0.0;
};

/// Summarises `milliseconds` (nearest-rank percentiles). Throws std::invalid_argument when empty.
LatencySummary summariseLatencies(std::vector<double> milliseconds);

/// What `dpflow bench` measures on the studio's own preview pipeline.
struct PreviewBenchmark {
    std::string device;                ///< "cpu" or "cuda"
    int threads = 0;                   ///< LibTorch intra-op threads
    PrivacyMechanism mechanism = PrivacyMechanism::DpGlow;  ///< dpglow when the model is calibrated, else cadp
    LatencySummary encode;             ///< PreviewSession::setImage (prepare + encode + unit draw)
    LatencySummary first_preview;      ///< setImage then the first render: a film selected to its first privatized pixels
    LatencySummary noise_decode;       ///< PreviewSession::render: scaled noise + decode
    LatencySummary slider_to_pixels;   ///< PreviewWorker::submit -> result callback holding the pixels
};

/// Runs the benchmark on `image` (already read from its file) or, when it is empty, on the
/// model's mode image (the decode of u = 0 under each attribute's first value, so no data file is
/// needed): 5 encodes, 5 first previews (encode then render), then `runs` renders at eps spread log-uniformly
/// over 1e6 .. 1e8 (the time does not depend on eps), then `runs` slider moves through a PreviewWorker, each waiting for
/// its result (a move at a time, so none is coalesced away). Three untimed warm-up renders come
/// first. `threads` is reported only; the caller configures LibTorch.
/// Throws std::invalid_argument for runs < 1, and what the session throws.
PreviewBenchmark benchmarkPreview(const FlowModel& model, int runs, int threads, RandomSource& source,
                                  const Image& image = Image{});

}  // namespace dpflow
