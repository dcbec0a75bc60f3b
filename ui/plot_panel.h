#pragma once

#include "eval/sweep_results.h"

#include <QString>
#include <QWidget>

#include <optional>

class QCustomPlot;
class QCPItemStraightLine;
class QLabel;

namespace dpflow::ui {

/// The trade-off plot: downstream ROC AUC with its 95% CI band (left axis) and the top-1
/// re-identification rate with chance level (right axis) against eps on a log axis, read from a
/// `dpflow sweep` results CSV, with a vertical marker at the slider's eps. Exports PNG, PDF and
/// CSV (the rows of the shown mechanism).
class PlotPanel : public QWidget {
    Q_OBJECT

public:
    explicit PlotPanel(QWidget* parent = nullptr);

    /// Reads the results (readSweepResults). Returns false and shows the reason in the panel
    /// when the file cannot be read.
    bool loadResults(const QString& csv_path);
    /// Shows the curves of `mechanism` ("dpglow", ...), or a note when the sweep has none.
    void setMechanism(const QString& mechanism);
    /// Moves the marker.
    void setEpsilon(double epsilon);

    bool exportPng(const QString& path);
    bool exportPdf(const QString& path);
    bool exportCsv(const QString& path);

    QString resultsPath() const { return path_; }
    /// Number of plotted eps points for the current mechanism.
    int pointCount() const;
    double markerEpsilon() const { return marker_eps_; }
    QCustomPlot* plot() const { return plot_; }

private:
    void redraw();

    QCustomPlot* plot_ = nullptr;
    QLabel* note_ = nullptr;
    QCPItemStraightLine* marker_ = nullptr;
    std::optional<SweepResults> results_;
    QString path_;
    QString mechanism_ = "dpglow";
    double marker_eps_ = 1.0;
};

}  // namespace dpflow::ui
