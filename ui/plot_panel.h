#pragma once

#include "eval/sweep_results.h"

#include <QString>
#include <QWidget>

#include <optional>

class QCustomPlot;
class QCPItemStraightLine;
class QLabel;
class QProgressBar;
class QPushButton;

namespace dpflow::ui {

class CurveJob;

/// The trade-off plot: downstream ROC AUC with its 95% CI band (left axis) and the top-1
/// re-identification rate with chance level (right axis) against eps on a log axis, read from a
/// `dpflow sweep` results CSV or computed here in the background ("Compute curve": progress,
/// cancel, the sweep cache reused), with a vertical marker at the slider's eps. Exports PNG, PDF
/// and CSV (the rows of the shown mechanism).
class PlotPanel : public QWidget {
    Q_OBJECT

public:
    explicit PlotPanel(QWidget* parent = nullptr);
    ~PlotPanel() override;

    /// Reads the results (readSweepResults). Returns false and shows the reason in the panel
    /// when the file cannot be read.
    bool loadResults(const QString& csv_path);
    /// Shows no curve (the results shown were measured on a model that is no longer open).
    void clearResults();
    /// Shows the curves of `mechanism` ("dpglow", ...), or a note when the sweep has none. For
    /// "allocated", `allocation_sha256` picks the rows of that allocation file (sweepRowsMeasuring).
    void setMechanism(const QString& mechanism, const QString& allocation_sha256 = {});
    /// Moves the marker.
    void setEpsilon(double epsilon);

    /// Computes the curve of `settings` on a background thread (CurveJob), showing `description`,
    /// a progress bar with the stage and time left, and a Cancel button; the results are written
    /// to `results_csv` and loaded when done. Reuses `cache_dir`. A curve already running is
    /// cancelled first.
    void startCurve(const SweepSettings& settings, const QString& description, const QString& cache_dir,
                    const QString& results_csv);
    /// Stops the running curve before its next work unit (nothing is loaded or cached).
    void cancelCurve();
    bool curveRunning() const;
    /// Shows a message in the panel's note line (e.g. why a curve cannot be computed).
    void showNote(const QString& text);
    QString noteText() const;

    bool exportPng(const QString& path);
    bool exportPdf(const QString& path);
    bool exportCsv(const QString& path);

    QString resultsPath() const { return path_; }
    /// Number of plotted eps points for the current mechanism.
    int pointCount() const;
    double markerEpsilon() const { return marker_eps_; }
    QCustomPlot* plot() const { return plot_; }

signals:
    /// The user pressed "Compute curve": the owner plans the sweep and calls startCurve.
    void computeRequested();
    /// A curve finished and its results are shown.
    void curveComputed(const QString& results_csv, bool from_cache);
    /// A curve stopped without results: `reason` is "cancelled" or the error.
    void curveStopped(const QString& reason);

private:
    void redraw();
    void setCurveControlsVisible(bool running);

    QCustomPlot* plot_ = nullptr;
    QLabel* note_ = nullptr;
    QPushButton* compute_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QProgressBar* progress_ = nullptr;
    CurveJob* job_ = nullptr;
    QCPItemStraightLine* marker_ = nullptr;
    std::optional<SweepResults> results_;
    QString path_;
    QString mechanism_ = "dpglow";
    QString allocation_sha256_;  ///< the open allocation's, when mechanism_ is "allocated"
    /// The results' name for the rows of mechanism_ (and the open allocation); empty when the
    /// sweep did not measure that allocation.
    QString rowsName() const;
    double marker_eps_ = 1.0;
};

}  // namespace dpflow::ui
