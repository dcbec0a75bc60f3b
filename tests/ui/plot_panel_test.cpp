#include "plot_panel.h"

#include "../eval/sweep_test_support.h"
#include "image/sha256.h"
#include "main_window.h"
#include "ui_test_support.h"

#include <gtest/gtest.h>

#include <QSettings>
#include <QSignalSpy>
#include <QTest>

#include <QFile>
#include <QImage>
#include <QDir>
#include <QComboBox>
#include <QTemporaryDir>

#include <cmath>
#include <limits>

namespace dpflow::ui {
namespace {

// A results file as `dpflow sweep` writes it: a baseline and three dpglow points, one cadp point.
QString writeResults(const QTemporaryDir& dir, const QString& name = "results.csv", const std::string& model_sha256 = {}) {
    SweepResults results;
    results.hashes.model_sha256 = model_sha256;
    results.settings.data_path = "study/manifest.csv";
    results.settings.split = "test";
    results.settings.mechanisms = {"dpglow", "cadp"};
    SweepRow original;
    original.mechanism = "original";
    original.epsilon = std::numeric_limits<double>::infinity();
    original.protocol_a = SweepAuc{0.99, 0.98, 1.0, 40, 60};
    results.original = original;
    for (double eps : {1e5, 1e6, 1e7}) {
        SweepRow row;
        row.mechanism = "dpglow";
        row.epsilon = eps;
        row.protocol_a = SweepAuc{0.5 + 0.1 * std::log10(eps / 1e4), 0.45, 0.95, 40, 60};
        row.pixel_attacker.identification.top1_rate = 0.1 * std::log10(eps / 1e4);
        row.pixel_attacker.identification.chance_rate = 0.05;
        row.pixel_attacker.identification.probes = 100;
        row.pixel_attacker.identification.top1_hits = static_cast<std::size_t>(std::lround(100 * 0.1 * std::log10(eps / 1e4)));
        row.latent_attacker.identification.top1_rate = 0.05;
        results.rows.push_back(row);
    }
    SweepRow cadp;
    cadp.mechanism = "cadp";
    cadp.epsilon = 1e6;
    results.rows.push_back(cadp);
    const QString path = dir.filePath(name);
    writeSweepResults(results, path.toStdString());
    return path;
}

// A copy of the 32 px model in `dir`, so a sweep can lie beside it. The results the studio
// remembers from earlier tests are forgotten: they describe the same weights and would come back.
QString copyOfSmallModel(const QTemporaryDir& dir) {
    QSettings().remove("plot/results");
    const QString model = dir.filePath("m.safetensors");
    std::filesystem::copy_file(kSmallModel.toStdString(), model.toStdString());
    return model;
}

TEST(PlotPanel, PlotsTheSweptPointsOfTheChosenMechanism) {
    QTemporaryDir dir;
    PlotPanel panel;
    ASSERT_TRUE(panel.loadResults(writeResults(dir)));
    EXPECT_EQ(panel.pointCount(), 3);
    panel.setMechanism("cadp");
    EXPECT_EQ(panel.pointCount(), 1);
}

// Two allocation files swept side by side ("allocated:first", "allocated:second"): the panel
// shows the rows of the allocation whose SHA-256 it is given, whatever the file is called now.
TEST(PlotPanel, AllocatedRowsAreThoseOfTheOpenAllocationByItsHash) {
    QTemporaryDir dir;
    SweepResults results;
    results.settings.mechanisms = {"allocated"};
    results.settings.allocations = {"/elsewhere/first.json", "/elsewhere/second.json"};
    results.hashes.allocation_sha256 = {std::string(64, '1'), std::string(64, '2')};
    for (const char* name : {"allocated:first", "allocated:second"})
        for (double eps : {1e4, 1e5}) {
            SweepRow row;
            row.mechanism = name;
            row.epsilon = eps;
            row.protocol_a = SweepAuc{0.7, 0.6, 0.8, 10, 10};
            results.rows.push_back(row);
            if (std::string(name) == "allocated:second") break;  // one point for the second file
        }
    const QString path = dir.filePath("allocations.csv");
    writeSweepResults(results, path.toStdString());
    PlotPanel panel;
    ASSERT_TRUE(panel.loadResults(path));
    panel.setMechanism("allocated", QString(64, '1'));
    EXPECT_EQ(panel.pointCount(), 2);
    panel.setMechanism("allocated", QString(64, '2'));
    EXPECT_EQ(panel.pointCount(), 1);
    panel.setMechanism("allocated", QString(64, '3'));  // an allocation this sweep never measured
    EXPECT_EQ(panel.pointCount(), 0);
}

TEST(PlotPanel, TheMarkerFollowsTheEpsilonItIsGiven) {
    PlotPanel panel;
    panel.setEpsilon(3e5);
    EXPECT_EQ(panel.markerEpsilon(), 3e5);
}

TEST(PlotPanel, ExportsTheShownCurvesAsCsvWithTheStrongestAttackAndItsUpperBound) {
    QTemporaryDir dir;
    PlotPanel panel;
    ASSERT_TRUE(panel.loadResults(writeResults(dir)));
    const QString csv = dir.filePath("tradeoff.csv");
    ASSERT_TRUE(panel.exportCsv(csv));
    QFile file(csv);
    ASSERT_TRUE(file.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(file.readAll()).trimmed().split('\n');
    ASSERT_EQ(lines.size(), 4);
    EXPECT_EQ(lines[0], "mechanism,epsilon,auc,auc_ci_low,auc_ci_high,strongest_attack,strongest_top1,strongest_upper_95,chance");
    const QStringList last = lines[3].split(',');
    ASSERT_EQ(last.size(), 9);
    EXPECT_EQ(last.mid(0, 5).join(','), "dpglow,10000000,0.80000000000000004,0.45000000000000001,0.94999999999999996");
    EXPECT_EQ(last[5], "pixel identification");  // the latent attacker has no chance level here: not judged
    EXPECT_DOUBLE_EQ(last[6].toDouble(), 0.1 * std::log10(1e7 / 1e4));  // 30 of 100
    EXPECT_NEAR(last[7].toDouble(), 0.3998, 1e-4);  // Clopper-Pearson upper end of 30/100
    EXPECT_EQ(last[8], "0.050000000000000003");
}

TEST(PlotPanel, ExportsPngAndPdf) {
    QTemporaryDir dir;
    PlotPanel panel;
    ASSERT_TRUE(panel.loadResults(writeResults(dir)));
    ASSERT_TRUE(panel.exportPng(dir.filePath("plot.png")));
    EXPECT_EQ(QImage(dir.filePath("plot.png")).width(), 1200);
    ASSERT_TRUE(panel.exportPdf(dir.filePath("plot.pdf")));
    QFile pdf(dir.filePath("plot.pdf"));
    ASSERT_TRUE(pdf.open(QIODevice::ReadOnly));
    EXPECT_TRUE(pdf.read(5) == "%PDF-");
}

// A sweep small enough for a GUI test: pixel noise on a few real PneumoniaMNIST test images.
SweepSettings tinyPixelSweep(const std::filesystem::path& manifest, std::vector<double> epsilons) {
    return test::tinySweepSettings(manifest, {"pixel"}, std::move(epsilons));
}

TEST(PlotPanel, ComputesACurveInTheBackgroundShowsItAndReusesTheCache) {
    QTemporaryDir dir;
    const auto manifest = test::writeTinyPneumoniaManifest(dir.path().toStdString(), 5);
    const QString cache = dir.filePath("cache");
    PlotPanel panel;
    panel.setMechanism("pixel");
    QSignalSpy computed(&panel, &PlotPanel::curveComputed);
    panel.startCurve(tinyPixelSweep(manifest, {1.0, 1e3, 1e9}), "tiny pixel curve", cache, dir.filePath("first.csv"));
    EXPECT_TRUE(panel.curveRunning());
    ASSERT_TRUE(computed.wait(60000)) << panel.noteText().toStdString();
    EXPECT_FALSE(panel.curveRunning());
    EXPECT_EQ(panel.pointCount(), 3);
    EXPECT_EQ(panel.resultsPath(), dir.filePath("first.csv"));
    EXPECT_FALSE(computed.at(0).at(1).toBool());  // computed, not read from the cache
    EXPECT_TRUE(panel.noteText().contains("(computed)"));

    panel.startCurve(tinyPixelSweep(manifest, {1.0, 1e3, 1e9}), "again", cache, dir.filePath("second.csv"));
    ASSERT_TRUE(computed.wait(60000));
    EXPECT_TRUE(computed.at(1).at(1).toBool());  // same inputs: the figures come from the cache
    EXPECT_EQ(panel.pointCount(), 3);
}

TEST(PlotPanel, CancellingACurveStopsItAndLoadsAndCachesNothing) {
    QTemporaryDir dir;
    const auto manifest = test::writeTinyPneumoniaManifest(dir.path().toStdString(), 30);
    PlotPanel panel;
    QSignalSpy stopped(&panel, &PlotPanel::curveStopped);
    QSignalSpy computed(&panel, &PlotPanel::curveComputed);
    std::vector<double> many;
    for (int i = 0; i < 40; ++i) many.push_back(std::pow(10.0, 0.2 * i));
    panel.startCurve(tinyPixelSweep(manifest, many), "a long curve", dir.filePath("cache"), dir.filePath("long.csv"));
    panel.cancelCurve();
    ASSERT_TRUE(stopped.wait(30000));
    EXPECT_EQ(stopped.at(0).at(0).toString(), "cancelled");
    EXPECT_EQ(computed.count(), 0);
    EXPECT_FALSE(panel.curveRunning());
    EXPECT_EQ(panel.pointCount(), 0);
    EXPECT_FALSE(QFile::exists(dir.filePath("long.csv")));
    EXPECT_TRUE(QDir(dir.filePath("cache")).isEmpty());
    EXPECT_TRUE(panel.noteText().contains("cancelled"));
}

TEST(PlotPanel, TheStudioPlansTheCurveForTheOpenStudyAndModel) {
    QTemporaryDir dir;
    MainWindow window(smallModelOptions());
    ASSERT_TRUE(openStudy(window, {writePneumoniaStudy(dir)}));
    QSignalSpy computed(window.plotPanel(), &PlotPanel::curveComputed);
    window.computeCurve();
    ASSERT_TRUE(computed.wait(120000)) << window.plotPanel()->noteText().toStdString();
    EXPECT_EQ(window.plotPanel()->pointCount(), 9);  // every decade 1e0..1e8 of the current mechanism
    EXPECT_TRUE(window.plotPanel()->noteText().contains("points for dpglow"));
}

TEST(PlotPanel, TheSweepShippedBesideTheModelIsShownAtOnceWithTheDataItWasMeasuredOn) {
    QTemporaryDir dir;
    const QString model = copyOfSmallModel(dir);
    writeResults(dir, "m.sweep.csv", sha256OfFile(model.toStdString()));
    MainWindow window(StudioOptions{model});
    EXPECT_EQ(window.plotPanel()->pointCount(), 3);
    EXPECT_TRUE(window.plotPanel()->noteText().contains("measured on study/manifest.csv (split 'test')"))
        << window.plotPanel()->noteText().toStdString();
    EXPECT_TRUE(window.plotPanel()->noteText().contains("measures the disclosed label")) << window.plotPanel()->noteText().toStdString();
}

TEST(PlotPanel, ASweepOfOtherWeightsBesideTheModelIsNotShown) {
    QTemporaryDir dir;
    const QString model = copyOfSmallModel(dir);
    writeResults(dir, "m.sweep.csv", std::string(64, 'a'));
    MainWindow window(StudioOptions{model});
    EXPECT_EQ(window.plotPanel()->pointCount(), 0);
    EXPECT_TRUE(window.plotPanel()->noteText().contains("other weights")) << window.plotPanel()->noteText().toStdString();
}

TEST(PlotPanel, SwitchingModelTakesThePreviousModelsCurveAway) {
    QTemporaryDir dir;
    const QString model = copyOfSmallModel(dir);
    writeResults(dir, "m.sweep.csv", sha256OfFile(model.toStdString()));
    MainWindow window(StudioOptions{model});
    ASSERT_EQ(window.plotPanel()->pointCount(), 3);
    // The shipped PneumoniaMNIST flow has no sweep beside it: nothing it was measured on is shown.
    auto* chooser = window.findChild<QComboBox*>("model-chooser");
    ASSERT_NE(chooser, nullptr);
    const int other = chooser->findText("pneumoniamnist-glow32");
    ASSERT_GE(other, 0);
    chooser->setCurrentIndex(other);
    emit chooser->activated(other);  // as a click on the entry does
    EXPECT_EQ(window.plotPanel()->pointCount(), 0);
}

TEST(PlotPanel, TheStudioSaysWhyThereIsNoCurveWithoutAStudyManifest) {
    MainWindow window(smallModelOptions());
    window.computeCurve();
    EXPECT_FALSE(window.plotPanel()->curveRunning());
    EXPECT_TRUE(window.plotPanel()->noteText().contains("no manifest.csv"));
}

TEST(PlotPanel, AnUnreadableFileIsReportedNotThrown) {
    PlotPanel panel;
    EXPECT_FALSE(panel.loadResults("/nonexistent/results.csv"));
    EXPECT_EQ(panel.pointCount(), 0);
}

}  // namespace
}  // namespace dpflow::ui
