#pragma once

#include "eval/sweep_results.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <thread>

namespace dpflow::ui {

/// One trade-off curve computed off the UI thread: runs the sweep (reusing the sweep cache),
/// writes its results CSV + JSON, and reports progress, completion, failure or cancellation as
/// signals delivered on the thread that owns the job. The destructor cancels and waits, so
/// closing the window never leaves a sweep running.
class CurveJob : public QObject {
    Q_OBJECT

public:
    CurveJob(SweepSettings settings, QString cache_dir, QString results_csv, QObject* parent = nullptr);
    ~CurveJob() override;

    /// Starts the sweep on its own thread (once).
    void start();
    /// Asks the sweep to stop before its next work unit; `cancelled` follows.
    void cancel();
    bool isRunning() const { return running_; }

signals:
    /// `fraction` in [0, 1]; `stage` says what is being computed; `eta_seconds` is the estimate left.
    void progress(double fraction, const QString& stage, double eta_seconds);
    /// The results CSV was written; `from_cache` when no figure had to be computed.
    void finished(const QString& results_csv, bool from_cache);
    void failed(const QString& message);
    void cancelled();

private:
    SweepSettings settings_;
    QString cache_dir_;
    QString results_csv_;
    std::atomic<bool> cancel_requested_{false};
    std::atomic<bool> running_{false};
    std::thread thread_;
};

}  // namespace dpflow::ui
