#pragma once

#include <QStringList>

#include <cstddef>
#include <string>

namespace dpflow::ui {

class MainWindow;

/// What opening a study costs the studio, measured in one run (`dpflow-studio --open PATH
/// --benchmark-open SECONDS`): a benchmark that prints figures, not a timed test.
struct OpenBenchmark {
    double open_call_ms = 0.0;    ///< openPaths itself, on the UI thread (it only hands the paths to the lister)
    double listed_ms = -1.0;      ///< from the open until the study is listed (on the lister's thread); -1: not within the watch
    double first_image_ms = -1.0; ///< from the open until the first image is in the original pane; -1: not within the watch
    double first_preview_ms = -1.0; ///< from the open until its privatized preview is in the pane; -1: not within the watch (or no model)
    double max_stall_ms = 0.0;    ///< event-loop latency probe: the longest time the UI thread was late (beyond the probe's interval)
    double p99_stall_ms = 0.0;    ///< its 99th percentile over every probe tick
    std::size_t probe_ticks = 0;
    double watched_seconds = 0.0;
    double peak_rss_mb = 0.0;     ///< VmHWM of the process at the end (its peak so far)
    double rss_mb = 0.0;          ///< VmRSS at the end
    int rows = 0;                 ///< files listed
    int failed = 0;               ///< of which unreadable (so far)
    std::size_t thumbnails_pending = 0;  ///< thumbnails still to make at the end
};

/// Interval of the event-loop latency probe (a QTimer; each tick's lateness is a stall).
constexpr int kProbeIntervalMs = 5;

/// Opens `paths` in `window` from inside the running event loop and watches for
/// `watch_seconds`: when the first image reaches the pane, how late every probe tick was, and
/// the memory the process holds.
OpenBenchmark benchmarkOpening(MainWindow& window, const QStringList& paths, double watch_seconds);

/// One paragraph of the figures, for the terminal.
std::string describeOpenBenchmark(const OpenBenchmark& benchmark);

}  // namespace dpflow::ui
