#include "open_benchmark.h"

#include "main_window.h"
#include "study_browser.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

namespace dpflow::ui {
namespace {

// A "VmHWM:   123456 kB" line of /proc/self/status, in MB; 0 when the system does not say.
double statusMegabytes(const std::string& key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key + ":", 0) == 0) return std::stod(line.substr(key.size() + 1)) / 1024.0;
    return 0.0;
}

}  // namespace

OpenBenchmark benchmarkOpening(MainWindow& window, const QStringList& paths, double watch_seconds) {
    OpenBenchmark result;
    QElapsedTimer clock;
    clock.start();
    std::vector<double> stalls;
    double last_tick = 0.0;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const double now = static_cast<double>(clock.nsecsElapsed()) / 1e6;
        stalls.push_back(std::max(0.0, now - last_tick - kProbeIntervalMs));
        last_tick = now;
    });
    double opened_at = -1.0;
    const QMetaObject::Connection shown = QObject::connect(&window, &MainWindow::imageShown, [&] {
        if (result.first_image_ms < 0 && opened_at >= 0)
            result.first_image_ms = static_cast<double>(clock.nsecsElapsed()) / 1e6 - opened_at;
    });
    const QMetaObject::Connection listed = QObject::connect(&window, &MainWindow::studyOpened, [&] {
        if (result.listed_ms < 0 && opened_at >= 0) result.listed_ms = static_cast<double>(clock.nsecsElapsed()) / 1e6 - opened_at;
    });
    const QMetaObject::Connection previewed = QObject::connect(&window, &MainWindow::previewShown, [&] {
        if (result.first_preview_ms < 0 && result.first_image_ms >= 0)
            result.first_preview_ms = static_cast<double>(clock.nsecsElapsed()) / 1e6 - opened_at;
    });
    QEventLoop loop;
    QTimer::singleShot(50, [&] {
        opened_at = static_cast<double>(clock.nsecsElapsed()) / 1e6;
        window.openPaths(paths);
        result.open_call_ms = static_cast<double>(clock.nsecsElapsed()) / 1e6 - opened_at;
    });
    QTimer::singleShot(static_cast<int>(watch_seconds * 1000.0), &loop, &QEventLoop::quit);
    last_tick = static_cast<double>(clock.nsecsElapsed()) / 1e6;
    probe.start(kProbeIntervalMs);
    loop.exec();
    probe.stop();
    QObject::disconnect(shown);
    QObject::disconnect(listed);
    QObject::disconnect(previewed);

    result.watched_seconds = static_cast<double>(clock.nsecsElapsed()) / 1e9;
    result.probe_ticks = stalls.size();
    if (!stalls.empty()) {
        std::sort(stalls.begin(), stalls.end());
        result.max_stall_ms = stalls.back();
        const auto rank = static_cast<std::size_t>(std::ceil(0.99 * static_cast<double>(stalls.size()))) - 1;  // nearest rank
        result.p99_stall_ms = stalls[std::min(rank, stalls.size() - 1)];
    }
    result.peak_rss_mb = statusMegabytes("VmHWM");
    result.rss_mb = statusMegabytes("VmRSS");
    result.rows = window.studyBrowser()->rowCount();
    result.failed = window.studyBrowser()->failedCount();
    result.thumbnails_pending = window.studyBrowser()->pendingThumbnails();
    return result;
}

std::string describeOpenBenchmark(const OpenBenchmark& b) {
    return fmt::format(
        "opened {} file(s) ({} unreadable so far): openPaths {:.1f} ms on the UI thread, listed {}; first image in the pane {}, its preview {}; "
        "event loop over {:.1f} s ({} probe ticks of {} ms): longest stall {:.0f} ms, p99 {:.1f} ms; "
        "RSS peak {:.0f} MB, at the end {:.0f} MB; thumbnails still to make: {}",
        b.rows, b.failed, b.open_call_ms,
        b.listed_ms < 0 ? std::string("not within the watch") : fmt::format("after {:.0f} ms on the lister's thread", b.listed_ms),
        b.first_image_ms < 0 ? std::string("not within the watch") : fmt::format("after {:.0f} ms", b.first_image_ms),
        b.first_preview_ms < 0 ? std::string("not within the watch") : fmt::format("after {:.0f} ms", b.first_preview_ms),
        b.watched_seconds, b.probe_ticks, kProbeIntervalMs, b.max_stall_ms, b.p99_stall_ms, b.peak_rss_mb, b.rss_mb,
        b.thumbnails_pending);
}

}  // namespace dpflow::ui
