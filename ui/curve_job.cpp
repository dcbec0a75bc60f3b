#include "curve_job.h"

#include "eval/sweep_engine.h"

#include <QMetaObject>

#include <filesystem>

namespace dpflow::ui {

CurveJob::CurveJob(SweepSettings settings, QString cache_dir, QString results_csv, QObject* parent)
    : QObject(parent), settings_(std::move(settings)), cache_dir_(std::move(cache_dir)), results_csv_(std::move(results_csv)) {}

CurveJob::~CurveJob() {
    cancel();
    if (thread_.joinable()) thread_.join();
}

void CurveJob::start() {
    if (thread_.joinable()) return;
    running_ = true;
    thread_ = std::thread([this] {
        // Signals are emitted from this thread; queued connections deliver them on the owner's
        // thread. The destructor joins before `this` goes away, so capturing it is safe.
        SweepRunOptions options;
        options.cache_dir = cache_dir_.toStdString();
        options.is_cancelled = [this] { return cancel_requested_.load(); };
        options.on_progress = [this](const SweepProgress& p) {
            const double fraction = p.total == 0 ? 0.0 : static_cast<double>(p.done) / static_cast<double>(p.total);
            emit progress(fraction, QString::fromStdString(p.stage), p.eta_seconds);
        };
        try {
            const SweepOutcome outcome = runSweep(settings_, options);
            std::filesystem::create_directories(std::filesystem::path(results_csv_.toStdString()).parent_path());
            writeSweepResults(outcome.results, results_csv_.toStdString());
            running_ = false;
            emit finished(results_csv_, outcome.from_cache);
        } catch (const SweepCancelled&) {
            running_ = false;
            emit cancelled();
        } catch (const std::exception& error) {
            running_ = false;
            emit failed(QString::fromStdString(error.what()));
        }
    });
}

void CurveJob::cancel() { cancel_requested_ = true; }

}  // namespace dpflow::ui
