#include "plot_panel.h"

#include <functional>

#include "curve_job.h"

#include "eval/sweep_summary.h"
#include "release/release_evaluation.h"

#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QTextStream>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace dpflow::ui {
namespace {

std::vector<const SweepRow*> rowsOf(const SweepResults& results, const QString& mechanism) {
    std::vector<const SweepRow*> rows;
    for (const auto& row : results.rows)
        if (QString::fromStdString(row.mechanism) == mechanism && row.epsilon > 0 && std::isfinite(row.epsilon)) rows.push_back(&row);
    std::sort(rows.begin(), rows.end(), [](const SweepRow* a, const SweepRow* b) { return a->epsilon < b->epsilon; });
    return rows;
}

// The sweep's verdict for `mechanism` (sweep_summary.h) against `baseline`, if it has attack figures.
std::optional<MechanismVerdict> verdictOf(const SweepResults& results, const QString& mechanism,
                                          ChanceBaseline baseline = ChanceBaseline::Gallery) {
    for (const MechanismVerdict& verdict : sweepVerdicts(results, baseline))
        if (verdict.mechanism == mechanism.toStdString()) return verdict;
    return std::nullopt;
}

// The attack that decides the verdict at `epsilon` (the strongest, identification or linkage).
const AttackJudgement* strongestAt(const std::optional<MechanismVerdict>& verdict, double epsilon) {
    if (!verdict) return nullptr;
    for (const EpsilonVerdict& point : verdict->points)
        if (point.epsilon == epsilon) return &point.attacks[point.strongest];
    return nullptr;
}

}  // namespace

PlotPanel::PlotPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    plot_ = new QCustomPlot(this);
    plot_->setObjectName("tradeoff-plot");
    plot_->setMinimumHeight(220);
    plot_->xAxis->setScaleType(QCPAxis::stLogarithmic);
    plot_->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    plot_->xAxis->setNumberFormat("eb");
    plot_->xAxis->setNumberPrecision(0);
    plot_->xAxis->setLabel("eps (log)");
    plot_->yAxis->setLabel("ROC AUC");
    plot_->yAxis->setRange(0.4, 1.0);
    plot_->yAxis2->setVisible(true);
    plot_->yAxis2->setLabel("re-identification (top-1)");
    plot_->yAxis2->setRange(0.0, 1.0);
    plot_->legend->setVisible(true);
    plot_->legend->setFont(QFont(font().family(), 8));
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignLeft | Qt::AlignTop);
    marker_ = new QCPItemStraightLine(plot_);
    marker_->setPen(QPen(QColor(220, 40, 40), 1.5, Qt::DashLine));
    layout->addWidget(plot_, 1);

    // The note (what was measured, the caveat and both verdicts) on a row of its own, scrolling past
    // six lines: a word-wrapped label beside the buttons grew over the plot.
    note_ = new QLabel(tr("No curve yet: compute one for the open study, or load `dpflow sweep` results."), this);
    note_->setWordWrap(true);
    note_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    note_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* note_area = new QScrollArea(this);
    note_area->setWidget(note_);
    note_area->setWidgetResizable(true);
    note_area->setFrameShape(QFrame::NoFrame);
    note_area->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    note_area->setMaximumHeight(6 * fontMetrics().lineSpacing() + 4);
    layout->addWidget(note_area);

    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    progress_ = new QProgressBar(this);
    progress_->setRange(0, 1000);
    progress_->setTextVisible(true);
    buttons->addWidget(progress_, 1);
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setObjectName("cancel-curve");
    buttons->addWidget(cancel_);
    compute_ = new QPushButton(tr("Compute curve"), this);
    compute_->setObjectName("compute-curve");
    compute_->setToolTip(tr("Sweep eps 1e0 to 1e8 for the current mechanism and attribute choices on the open study "
                            "(downstream AUC and re-identification), in the background"));
    buttons->addWidget(compute_);
    setCurveControlsVisible(false);
    connect(compute_, &QPushButton::clicked, this, &PlotPanel::computeRequested);
    connect(cancel_, &QPushButton::clicked, this, &PlotPanel::cancelCurve);
    auto* load = new QPushButton(tr("Load results..."), this);
    auto* png = new QPushButton(tr("PNG"), this);
    auto* pdf = new QPushButton(tr("PDF"), this);
    auto* csv = new QPushButton(tr("CSV"), this);
    for (auto* b : {load, png, pdf, csv}) buttons->addWidget(b);
    layout->addLayout(buttons);
    connect(load, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Sweep results"), {}, tr("Sweep results (*.csv)"));
        if (!path.isEmpty()) loadResults(path);
    });
    connect(png, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export plot"), "tradeoff.png", tr("PNG (*.png)"));
        if (!path.isEmpty()) exportPng(path);
    });
    connect(pdf, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export plot"), "tradeoff.pdf", tr("PDF (*.pdf)"));
        if (!path.isEmpty()) exportPdf(path);
    });
    connect(csv, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export figures"), "tradeoff.csv", tr("CSV (*.csv)"));
        if (!path.isEmpty()) exportCsv(path);
    });
    redraw();
}

PlotPanel::~PlotPanel() = default;  // job_ is a child: its destructor cancels and joins

void PlotPanel::startCurve(const SweepSettings& settings, const QString& description, const QString& cache_dir,
                           const QString& results_csv) {
    if (job_) {
        job_->disconnect(this);
        delete job_;  // cancels and waits for the running sweep
    }
    job_ = new CurveJob(settings, cache_dir, results_csv, this);
    // Signals of a replaced job may still be queued: each handler ignores a job that is not current.
    CurveJob* const job = job_;
    const QString what = description;
    connect(job_, &CurveJob::progress, this, [this, job, what](double fraction, const QString& stage, double eta) {
        if (job != job_) return;
        progress_->setValue(static_cast<int>(fraction * 1000.0));
        progress_->setFormat(tr("%p%  about %1 s left").arg(std::lround(eta)));
        note_->setText(tr("Computing %1: %2").arg(what, stage));
    });
    connect(job_, &CurveJob::finished, this, [this, job](const QString& csv, bool from_cache) {
        if (job != job_) return;
        setCurveControlsVisible(false);
        if (loadResults(csv)) note_->setText(note_->text() + (from_cache ? tr(" (from the sweep cache)") : tr(" (computed)")));
        emit curveComputed(csv, from_cache);
    });
    connect(job_, &CurveJob::failed, this, [this, job](const QString& message) {
        if (job != job_) return;
        setCurveControlsVisible(false);
        note_->setText(tr("The curve could not be computed: %1").arg(message));
        emit curveStopped(message);
    });
    connect(job_, &CurveJob::cancelled, this, [this, job] {
        if (job != job_) return;
        setCurveControlsVisible(false);
        note_->setText(tr("Curve cancelled; nothing was cached."));
        emit curveStopped(QStringLiteral("cancelled"));
    });
    progress_->setValue(0);
    progress_->setFormat(tr("%p%"));
    note_->setText(tr("Computing %1").arg(description));
    setCurveControlsVisible(true);
    job_->start();
}

void PlotPanel::cancelCurve() {
    if (job_) job_->cancel();
}

bool PlotPanel::curveRunning() const { return job_ && job_->isRunning(); }

void PlotPanel::showNote(const QString& text) { note_->setText(text); }

QString PlotPanel::noteText() const { return note_->text(); }

void PlotPanel::setCurveControlsVisible(bool running) {
    progress_->setVisible(running);
    cancel_->setVisible(running);
    compute_->setEnabled(!running);
}

bool PlotPanel::loadResults(const QString& csv_path) {
    try {
        results_ = readSweepResults(csv_path.toStdString());
        path_ = csv_path;
    } catch (const std::exception& error) {
        note_->setText(tr("Cannot read the sweep results: %1").arg(QString::fromStdString(error.what())));
        return false;
    }
    redraw();
    return true;
}

void PlotPanel::clearResults() {
    results_.reset();
    path_.clear();
    redraw();
}

void PlotPanel::setMechanism(const QString& mechanism, const QString& allocation_sha256) {
    mechanism_ = mechanism;
    allocation_sha256_ = allocation_sha256;
    redraw();
}

QString PlotPanel::rowsName() const {
    if (!results_) return mechanism_;
    return QString::fromStdString(sweepRowsMeasuring(*results_, mechanism_.toStdString(), allocation_sha256_.toStdString()));
}

void PlotPanel::setEpsilon(double epsilon) {
    marker_eps_ = epsilon;
    marker_->point1->setCoords(epsilon, 0.0);
    marker_->point2->setCoords(epsilon, 1.0);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

int PlotPanel::pointCount() const { return results_ ? static_cast<int>(rowsOf(*results_, rowsName()).size()) : 0; }

void PlotPanel::redraw() {
    plot_->clearGraphs();
    plot_->xAxis->setRange(1.0, 1e8);
    if (results_) {
        const auto rows = rowsOf(*results_, rowsName());
        QVector<double> eps, auc, low, high, reid, chance;
        for (const SweepRow* row : rows) {
            if (row->protocol_a) {
                eps << row->epsilon;
                auc << row->protocol_a->auc;
                low << row->protocol_a->ci_low;
                high << row->protocol_a->ci_high;
            }
        }
        QVector<double> reid_eps, reid_upper;
        const std::optional<MechanismVerdict> verdict = verdictOf(*results_, rowsName());
        for (const SweepRow* row : rows)
            if (const AttackJudgement* attack = strongestAt(verdict, row->epsilon)) {
                reid_eps << row->epsilon;
                reid << attack->top1_rate;
                reid_upper << attack->upper_bound;
                chance << verdict->factor * attack->chance_rate;
            }
        QCPGraph* upper = plot_->addGraph();
        upper->setData(eps, high);
        upper->setPen(Qt::NoPen);
        upper->setName(tr("95% CI"));
        QCPGraph* lower = plot_->addGraph();
        lower->setData(eps, low);
        lower->setPen(Qt::NoPen);
        lower->removeFromLegend();
        upper->setBrush(QColor(30, 100, 200, 50));
        upper->setChannelFillGraph(lower);
        QCPGraph* auc_graph = plot_->addGraph();
        auc_graph->setData(eps, auc);
        auc_graph->setPen(QPen(QColor(30, 100, 200), 2));
        auc_graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
        auc_graph->setName(tr("AUC (%1, protocol a)").arg(rowsName()));
        // The measures the disclosed label cannot (or can less) explain, beside the label-kept AUC, where measured.
        const auto addMeasure = [&](const std::function<std::optional<double>(const SweepRow&)>& value, const QPen& pen,
                                    QCPScatterStyle::ScatterShape shape, const QString& name) {
            QVector<double> x, y;
            for (const SweepRow* row : rows)
                if (const std::optional<double> v = value(*row)) {
                    x << row->epsilon;
                    y << *v;
                }
            if (x.isEmpty()) return;
            QCPGraph* graph = plot_->addGraph();
            graph->setData(x, y);
            graph->setPen(pen);
            graph->setScatterStyle(QCPScatterStyle(shape, 6));
            graph->setName(name);
        };
        addMeasure([](const SweepRow& row) { return row.within_label_concordance; },
                   QPen(QColor(20, 140, 90), 2, Qt::DashDotLine), QCPScatterStyle::ssTriangle,
                   tr("within-label agreement (C-index, originals 1)"));
        addMeasure([](const SweepRow& row) { return row.image_borne ? std::optional<double>(row.image_borne->auc) : std::nullopt; },
                   QPen(QColor(30, 100, 200), 2, Qt::DotLine), QCPScatterStyle::ssDiamond,
                   results_->settings.image_borne_as_released
                       ? tr("image-borne AUC (the released film; the flow never saw the label)")
                       : tr("image-borne AUC (decoded under every label, averaged)"));
        addMeasure([](const SweepRow& row) {
                       return row.image_borne_matched ? std::optional<double>(row.image_borne_matched->auc) : std::nullopt;
                   },
                   QPen(QColor(120, 60, 180), 2, Qt::DotLine), QCPScatterStyle::ssCross,
                   tr("image-borne AUC, pairs with equal disclosed attributes"));
        QCPGraph* reid_graph = plot_->addGraph(plot_->xAxis, plot_->yAxis2);
        reid_graph->setData(reid_eps, reid);
        reid_graph->setPen(QPen(QColor(200, 90, 20), 2));
        reid_graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssSquare, 5));
        reid_graph->setName(tr("strongest attack (re-identification or linkage), top-1"));
        QCPGraph* upper_graph = plot_->addGraph(plot_->xAxis, plot_->yAxis2);
        upper_graph->setData(reid_eps, reid_upper);
        upper_graph->setPen(QPen(QColor(200, 90, 20), 1, Qt::DashLine));
        upper_graph->setName(tr("its 95% upper bound (what the verdict judges)"));
        QCPGraph* chance_graph = plot_->addGraph(plot_->xAxis, plot_->yAxis2);
        chance_graph->setData(reid_eps, chance);
        chance_graph->setPen(QPen(QColor(200, 90, 20), 1, Qt::DotLine));
        chance_graph->setName(tr("2 x chance"));
        // A decade either side of the swept points, and never less than the slider's marker needs.
        if (!rows.empty())
            plot_->xAxis->setRange(std::min(rows.front()->epsilon / 10, marker_eps_ / 2), std::max(rows.back()->epsilon * 10, marker_eps_ * 2));
        const QString missing = mechanism_ == "allocated" && rowsName().isEmpty()
                                    ? tr("%1 did not measure the open allocation; its allocated rows, if any, are of other allocation files.")
                                          .arg(path_)
                                    : tr("%1 has no %2 rows.").arg(path_, mechanism_);
        note_->setText(rows.empty() ? missing
                                    : tr("%1: %2 eps points for %3, measured on %4 (split '%5')")
                                          .arg(QFileInfo(path_).fileName())
                                          .arg(rows.size())
                                          .arg(rowsName(), QString::fromStdString(results_->settings.data_path),
                                               QString::fromStdString(results_->settings.split)));
        if (const std::string caveat = protocolACaveat({mechanism_.toStdString()}, results_->settings.image_borne_as_released); !rows.empty() && !caveat.empty())
            note_->setText(note_->text() + "\n" + QString::fromStdString(caveat));
        if (verdict) note_->setText(note_->text() + "\n" + tr("Verdict: ") + QString::fromStdString(describeVerdict(*verdict)));
        if (const auto beyond = verdictOf(*results_, rowsName(), ChanceBaseline::DisclosedAttributes); beyond && verdict)
            note_->setText(note_->text() + "\n" + tr("Verdict: ") + QString::fromStdString(describeVerdict(*beyond)));
    }
    plot_->legend->setVisible(results_.has_value());
    setEpsilon(marker_eps_);
    plot_->replot();
}

bool PlotPanel::exportPng(const QString& path) { return plot_->savePng(path, 1200, 600); }
bool PlotPanel::exportPdf(const QString& path) { return plot_->savePdf(path, 1200, 600); }

bool PlotPanel::exportCsv(const QString& path) {
    QFile file(path);
    if (!results_ || !file.open(QIODevice::WriteOnly | QIODevice::Text)) return false;
    QTextStream out(&file);
    out << "mechanism,epsilon,auc,auc_ci_low,auc_ci_high,strongest_attack,strongest_top1,strongest_upper_95,chance\n";
    const std::optional<MechanismVerdict> verdict = verdictOf(*results_, rowsName());
    for (const SweepRow* row : rowsOf(*results_, rowsName())) {
        const AttackJudgement* attack = strongestAt(verdict, row->epsilon);
        const auto cell = [](const std::optional<double>& v) { return v ? QString::number(*v, 'g', 17) : QString(); };
        out << rowsName() << ',' << QString::number(row->epsilon, 'g', 17) << ','
            << cell(row->protocol_a ? std::optional<double>(row->protocol_a->auc) : std::nullopt) << ','
            << cell(row->protocol_a ? std::optional<double>(row->protocol_a->ci_low) : std::nullopt) << ','
            << cell(row->protocol_a ? std::optional<double>(row->protocol_a->ci_high) : std::nullopt) << ','
            << (attack ? QString::fromStdString(attackName(*attack)) : QString()) << ','
            << cell(attack ? std::optional<double>(attack->top1_rate) : std::nullopt) << ','
            << cell(attack ? std::optional<double>(attack->upper_bound) : std::nullopt) << ','
            << cell(attack ? std::optional<double>(attack->chance_rate) : std::nullopt) << '\n';
    }
    return file.flush();
}

}  // namespace dpflow::ui
