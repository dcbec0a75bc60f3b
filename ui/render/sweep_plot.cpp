#include "render/sweep_plot.h"

#include "eval/sweep_summary.h"

#include "render/offscreen_gui.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace dpflow {
namespace {

constexpr int kWidth = 1600;
constexpr int kHeight = 700;

QColor mechanismColour(std::size_t index) {
    static const QColor colours[] = {QColor(31, 119, 180), QColor(214, 39, 40), QColor(44, 160, 44),
                                     QColor(148, 103, 189), QColor(140, 86, 75)};
    return colours[index % (sizeof colours / sizeof colours[0])];
}

QColor attackerColour(SweepAttacker attacker) {
    switch (attacker) {
    case SweepAttacker::Pixel: return QColor(31, 119, 180);
    case SweepAttacker::Embedding: return QColor(255, 127, 14);
    case SweepAttacker::Latent: return QColor(44, 160, 44);
    case SweepAttacker::Score: break;
    }
    return QColor(148, 103, 189);
}

Qt::PenStyle mechanismStyle(std::size_t index) {
    static const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
    return styles[index % (sizeof styles / sizeof styles[0])];
}

void setLogEpsAxis(QCPAxis* axis, double lo, double hi) {
    axis->setScaleType(QCPAxis::stLogarithmic);
    QSharedPointer<QCPAxisTickerLog> ticker(new QCPAxisTickerLog);
    axis->setTicker(ticker);
    axis->setNumberFormat("eb");
    axis->setNumberPrecision(0);
    axis->setLabel("ε (log scale)");
    axis->setRange(lo / 2.0, hi * 2.0);
}

QCPGraph* addLine(QCustomPlot& plot, QCPAxisRect* rect, const QVector<double>& x, const QVector<double>& y, QPen pen,
                  const QString& name, QCPLegend* legend) {
    QCPGraph* graph = plot.addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    graph->setData(x, y, true);
    graph->setPen(pen);
    graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    graph->setName(name);
    if (legend && !name.isEmpty()) graph->addToLegend(legend);
    return graph;
}

void addReference(QCustomPlot& plot, QCPAxisRect* rect, double lo, double hi, double y, const QPen& pen,
                  const QString& name, QCPLegend* legend) {
    QCPGraph* graph = plot.addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    graph->setData(QVector<double>{lo / 2.0, hi * 2.0}, QVector<double>{y, y}, true);
    graph->setPen(pen);
    graph->setName(name);
    if (legend && !name.isEmpty()) graph->addToLegend(legend);
}

std::vector<std::string> mechanismsOf(const SweepResults& results) {
    std::vector<std::string> names;
    for (const SweepRow& row : results.rows)
        if (std::find(names.begin(), names.end(), row.mechanism) == names.end()) names.push_back(row.mechanism);
    return names;
}

std::vector<const SweepRow*> rowsOf(const SweepResults& results, const std::string& mechanism) {
    std::vector<const SweepRow*> rows;
    for (const SweepRow& row : results.rows)
        if (row.mechanism == mechanism) rows.push_back(&row);
    std::sort(rows.begin(), rows.end(), [](const SweepRow* a, const SweepRow* b) { return a->epsilon < b->epsilon; });
    return rows;
}

QCPLegend* addLegend(QCPAxisRect* rect, Qt::Alignment where) {
    auto* legend = new QCPLegend;
    rect->insetLayout()->addElement(legend, where);
    legend->setLayer("legend");
    QFont font = legend->font();
    font.setPointSize(8);
    legend->setFont(font);
    legend->setBrush(QColor(255, 255, 255, 220));
    return legend;
}

void drawUtility(QCustomPlot& plot, QCPAxisRect* rect, const SweepResults& results, double lo, double hi) {
    QCPLegend* legend = addLegend(rect, Qt::AlignBottom | Qt::AlignRight);
    const std::vector<std::string> mechanisms = mechanismsOf(results);
    for (std::size_t m = 0; m < mechanisms.size(); ++m) {
        const std::vector<const SweepRow*> rows = rowsOf(results, mechanisms[m]);
        for (int protocol = 0; protocol < 3; ++protocol) {
            QVector<double> x, auc, low, high;
            for (const SweepRow* row : rows) {
                const std::optional<SweepAuc>& value = protocol == 0 ? row->protocol_a : protocol == 1 ? row->protocol_b : row->image_borne;
                if (!value) continue;
                x << row->epsilon;
                auc << value->auc;
                low << value->ci_low;
                high << value->ci_high;
            }
            if (x.isEmpty()) continue;
            QColor colour = mechanismColour(m);
            QColor band = colour;
            band.setAlpha(protocol == 0 ? 50 : protocol == 1 ? 30 : 20);
            QPen bandPen(Qt::NoPen);
            QCPGraph* lower = addLine(plot, rect, x, low, bandPen, "", nullptr);
            QCPGraph* upper = addLine(plot, rect, x, high, bandPen, "", nullptr);
            lower->setScatterStyle(QCPScatterStyle::ssNone);
            upper->setScatterStyle(QCPScatterStyle::ssNone);
            upper->setBrush(band);
            upper->setChannelFillGraph(lower);
            QPen pen(colour, 2, protocol == 0 ? Qt::SolidLine : protocol == 1 ? Qt::DashLine : Qt::DotLine);
            addLine(plot, rect, x, auc, pen,
                    QString::fromStdString(mechanisms[m]) + (protocol == 0   ? " (a) trained on originals"
                                                             : protocol == 1 ? " (b) trained on privatized"
                                                                             : " image-borne (decoded under every label, averaged)"),
                    legend);
        }
    }
    // Within-label agreement: the ranking of films with the same label kept, which no disclosed label explains.
    for (std::size_t m = 0; m < mechanisms.size(); ++m) {
        QVector<double> x, agreement;
        for (const SweepRow* row : rowsOf(results, mechanisms[m]))
            if (row->within_label_concordance) {
                x << row->epsilon;
                agreement << *row->within_label_concordance;
            }
        if (!x.isEmpty())
            addLine(plot, rect, x, agreement, QPen(mechanismColour(m), 1.5, Qt::DashDotLine),
                    QString::fromStdString(mechanisms[m]) + " within-label agreement (C-index)", legend);
    }
    // Points where the decoder produced NaN/inf pixels: their images were scored as black, which
    // says more about the decoder than about the mechanism.
    QVector<double> broken_x, broken_auc;
    for (const SweepRow& row : results.rows)
        if (row.nonfinite_images > 0 && row.protocol_a) {
            broken_x << row.epsilon;
            broken_auc << row.protocol_a->auc;
        }
    if (!broken_x.isEmpty()) {
        QCPGraph* broken = addLine(plot, rect, broken_x, broken_auc, QPen(Qt::black, 1.5),
                                   "decoded with NaN/inf pixels (scored black)", legend);
        broken->setLineStyle(QCPGraph::lsNone);
        broken->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCross, 11));
    }
    if (results.original && results.original->protocol_a)
        addReference(plot, rect, lo, hi, results.original->protocol_a->auc, QPen(Qt::black, 1.5, Qt::DashLine),
                     QString("originals %1").arg(results.original->protocol_a->auc, 0, 'f', 3), legend);
    if (results.original && results.original->image_borne)
        addReference(plot, rect, lo, hi, results.original->image_borne->auc, QPen(Qt::black, 1, Qt::DotLine),
                     QString("originals, image-borne %1").arg(results.original->image_borne->auc, 0, 'f', 3), legend);
    addReference(plot, rect, lo, hi, 0.5, QPen(Qt::gray, 1, Qt::DotLine), "chance (0.5)", legend);
    double lowest = 0.3;  // below chance only when a figure goes there (protocol b can)
    for (const SweepRow& row : results.rows)
        for (const std::optional<SweepAuc>& auc : {row.protocol_a, row.protocol_b, row.image_borne})
            if (auc) lowest = std::min(lowest, std::floor((auc->ci_low - 0.02) * 10.0) / 10.0);
    rect->axis(QCPAxis::atLeft)->setLabel("ROC AUC (95% DeLong band)");
    rect->axis(QCPAxis::atLeft)->setRange(std::max(0.0, lowest), 1.02);
}

void drawReidentification(QCustomPlot& plot, QCPAxisRect* rect, const SweepResults& results, double lo, double hi) {
    QCPLegend* legend = addLegend(rect, Qt::AlignTop | Qt::AlignLeft);
    const std::vector<std::string> mechanisms = mechanismsOf(results);
    double chance = 0.0;
    for (std::size_t m = 0; m < mechanisms.size(); ++m) {
        const std::vector<const SweepRow*> rows = rowsOf(results, mechanisms[m]);
        for (SweepAttacker attacker : kSweepAttackers) {
            QVector<double> x, rate;
            for (const SweepRow* row : rows) {
                const SweepAttackFigures& figures = attackerFigures(*row, attacker).identification;
                if (!figures.top1_rate) continue;
                x << row->epsilon;
                rate << *figures.top1_rate;
                chance = figures.chance_rate.value_or(chance);
            }
            if (x.isEmpty()) continue;
            addLine(plot, rect, x, rate, QPen(attackerColour(attacker), 1, mechanismStyle(m)),
                    QString::fromStdString(mechanisms[m] + ", " + sweepAttackerName(attacker) + " identification"), legend);
        }
    }
    // What the verdict judges (sweep_summary.h): the strongest attack at each eps, identification
    // or linkage, and the upper end of its 95% interval.
    const std::vector<MechanismVerdict> verdicts = sweepVerdicts(results);
    for (std::size_t m = 0; m < mechanisms.size(); ++m)
        for (const MechanismVerdict& verdict : verdicts) {
            if (verdict.mechanism != mechanisms[m]) continue;
            QVector<double> x, rate, upper;
            for (const EpsilonVerdict& point : verdict.points) {
                x << point.epsilon;
                rate << point.attacks[point.strongest].top1_rate;
                upper << point.attacks[point.strongest].upper_bound;
            }
            addLine(plot, rect, x, rate, QPen(Qt::black, 2.5, mechanismStyle(m)),
                    QString::fromStdString(mechanisms[m] + ": strongest attack (identification or linkage)"), legend);
            addLine(plot, rect, x, upper, QPen(Qt::black, 1, Qt::DashDotLine),
                    QString::fromStdString(mechanisms[m] + ": its 95% upper bound (the verdict)"), legend);
        }
    if (chance > 0.0) {
        addReference(plot, rect, lo, hi, chance, QPen(Qt::gray, 1, Qt::DotLine), QString("chance %1").arg(chance, 0, 'f', 3),
                     legend);
        addReference(plot, rect, lo, hi, 2.0 * chance, QPen(Qt::black, 1, Qt::DashLine), "2 x chance", legend);
    }
    rect->axis(QCPAxis::atLeft)->setLabel("top-1 rate (re-identification, linkage)");
    rect->axis(QCPAxis::atLeft)->setRange(0.0, 1.02);
}

bool hasReidentification(const SweepResults& results) {
    for (const SweepRow& row : results.rows)
        for (SweepAttacker attacker : kSweepAttackers)
            if (attackerFigures(row, attacker).identification.top1_rate) return true;
    return false;
}

}  // namespace

SweepPlotFiles sweepPlotPaths(const std::filesystem::path& results_csv) {
    SweepPlotFiles files;
    files.png = results_csv;
    files.png.replace_extension(".png");
    files.pdf = results_csv;
    files.pdf.replace_extension(".pdf");
    return files;
}

void writeSweepPlot(const SweepResults& results, const SweepPlotFiles& files) {
    if (results.rows.empty()) throw std::invalid_argument("the sweep has no rows to plot");
    ensureOffscreenGui();
    double lo = std::numeric_limits<double>::infinity(), hi = 0.0;
    for (const SweepRow& row : results.rows) {
        lo = std::min(lo, row.epsilon);
        hi = std::max(hi, row.epsilon);
    }

    QCustomPlot plot;
    plot.setAutoAddPlottableToLegend(false);  // each panel has its own legend; bands stay out of it
    plot.plotLayout()->clear();
    const bool reid = hasReidentification(results);
    const QString subtitle = QString("%1 test images; data %2, model %3")
                                 .arg(results.rows.front().test_images)
                                 .arg(QString::fromStdString(results.hashes.data_sha256.substr(0, 12)))
                                 .arg(QString::fromStdString(results.hashes.model_sha256.empty()
                                                                 ? std::string("none")
                                                                 : results.hashes.model_sha256.substr(0, 12)));
    auto* title = new QCPTextElement(&plot, "Utility and re-identification risk against ε — " + subtitle,
                                     QFont("sans", 11, QFont::Bold));
    plot.plotLayout()->addElement(0, 0, title);
    auto* panels = new QCPLayoutGrid;
    plot.plotLayout()->addElement(1, 0, panels);
    plot.plotLayout()->setRowStretchFactor(0, 0.01);

    auto* utility = new QCPAxisRect(&plot);
    panels->addElement(0, 0, utility);
    setLogEpsAxis(utility->axis(QCPAxis::atBottom), lo, hi);
    drawUtility(plot, utility, results, lo, hi);
    if (reid) {
        auto* risk = new QCPAxisRect(&plot);
        panels->addElement(0, 1, risk);
        setLogEpsAxis(risk->axis(QCPAxis::atBottom), lo, hi);
        drawReidentification(plot, risk, results, lo, hi);
    }

    if (!plot.savePng(QString::fromStdString(files.png.string()), kWidth, kHeight))
        throw std::runtime_error("cannot write the plot " + files.png.string());
    if (!plot.savePdf(QString::fromStdString(files.pdf.string()), kWidth, kHeight, QCP::epAllowCosmetic, "dpflow",
                      "DP-Flow Studio sweep"))
        throw std::runtime_error("cannot write the plot " + files.pdf.string());
}

}  // namespace dpflow
