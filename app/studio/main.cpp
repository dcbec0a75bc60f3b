#include "flow/runtime.h"
#include "main_window.h"
#include "open_benchmark.h"
#include "plot_panel.h"
#include "privacy_panel.h"
#include "studio_launch.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QEventLoop>
#include <QTextStream>
#include <QTimer>

#ifndef DPFLOW_VERSION
#define DPFLOW_VERSION "unknown"
#endif

int main(int argc, char** argv) {
    const bool headless = dpflow::ui::useOffscreenPlatformIfNoDisplay();
    QApplication app(argc, argv);
    QApplication::setApplicationName("DP-Flow Studio");
    QApplication::setOrganizationName("DP-Flow");
    QApplication::setApplicationVersion(DPFLOW_VERSION);

    QCommandLineParser parser;
    parser.setApplicationDescription("DP-Flow Studio: privatize chest X-rays and see the privacy/utility trade-off.");
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption open_option("open", "Open the image or folder at PATH (repeatable).", "PATH");
    const QCommandLineOption screenshot_option("screenshot", "Render the window, save it as a PNG at FILE and quit.", "FILE");
    const QCommandLineOption model_option("model", "Flow weights to use (default: the shipped phantom128-glow).", "FILE");
    const QCommandLineOption epsilon_option("epsilon", "Start with eps set to E.", "E");
    const QCommandLineOption mechanism_option("mechanism", "Start with mechanism M (dpglow, cadp, pixel, dppix).", "M");
    const QCommandLineOption results_option("results", "Show the `dpflow sweep` results CSV in the plot.", "CSV");
    const QCommandLineOption difference_option("difference", "Show the signed-difference pane.");
    const QCommandLineOption ground_truth_option("ground-truth", "Show the phantom ground-truth overlay.");
    const QCommandLineOption curve_option("compute-curve",
                                          "Compute the trade-off curve for the opened study (with --screenshot: wait for it).");
    const QCommandLineOption benchmark_open_option(
        "benchmark-open",
        "Benchmark opening the --open paths: watch for SECONDS (listing time, first image, event-loop stalls, RSS), print "
        "the figures and quit.",
        "SECONDS");
    const QCommandLineOption threads_option(
        "threads", "CPU threads for encoding and decoding (default: as dpflow bench and every dpflow command, half the "
                   "cores, 1 to 4; one BLAS thread).", "N");
    parser.addOptions({open_option, screenshot_option, model_option, epsilon_option, mechanism_option, results_option, difference_option,
                       ground_truth_option, curve_option, benchmark_open_option, threads_option});
    parser.process(app);
    int threads = 0;
    if (parser.isSet(threads_option)) {
        bool ok = false;
        threads = parser.value(threads_option).toInt(&ok);
        if (!ok || threads < 1) {
            QTextStream(stderr) << "dpflow-studio: --threads needs a positive whole number, got '" << parser.value(threads_option) << "'\n";
            return 2;
        }
    }
    // The same thread setup as the command line (LibTorch's and OpenBLAS's defaults oversubscribe
    // a small machine), before any model is loaded.
    dpflow::configureThreads(threads);

    QTextStream err(stderr);
    QString screenshot_path = parser.value(screenshot_option);
    if (headless && screenshot_path.isEmpty()) {
        screenshot_path = "dpflow-studio-screenshot.png";
        err << "dpflow-studio: no display found (DISPLAY and WAYLAND_DISPLAY are unset), so the studio "
               "renders offscreen and saves " << screenshot_path << ".\n"
               "To use it interactively, start it from a desktop session, or under a virtual display: "
               "xvfb-run -a dpflow-studio ...\n";
    }

    dpflow::ui::MainWindow window(dpflow::ui::StudioOptions{parser.value(model_option)});
    if (parser.isSet(mechanism_option)) {
        try {
            window.privacyPanel()->setMechanism(dpflow::parseMechanism(parser.value(mechanism_option).toStdString()));
        } catch (const std::exception& error) {
            err << "dpflow-studio: " << error.what() << '\n';
            return 2;
        }
    }
    if (parser.isSet(epsilon_option)) {
        bool ok = false;
        const double epsilon = parser.value(epsilon_option).toDouble(&ok);
        if (!ok || !(epsilon > 0)) {
            err << "dpflow-studio: --epsilon needs a positive number, got '" << parser.value(epsilon_option) << "'\n";
            return 2;
        }
        window.privacyPanel()->setEpsilon(epsilon);
    }
    if (parser.isSet(results_option) && !window.loadSweepResults(parser.value(results_option)))
        err << "dpflow-studio: cannot read the sweep results " << parser.value(results_option) << '\n';
    if (parser.isSet(difference_option)) window.setDifferenceVisible(true);
    if (parser.isSet(ground_truth_option)) window.setGroundTruthVisible(true);
    if (parser.isSet(benchmark_open_option)) {
        bool ok = false;
        const double seconds = parser.value(benchmark_open_option).toDouble(&ok);
        if (!ok || !(seconds > 0) || !parser.isSet(open_option)) {
            err << "dpflow-studio: --benchmark-open needs --open PATH and a positive number of seconds\n";
            return 2;
        }
        window.show();
        const dpflow::ui::OpenBenchmark result = dpflow::ui::benchmarkOpening(window, parser.values(open_option), seconds);
        QTextStream(stdout) << QString::fromStdString(dpflow::ui::describeOpenBenchmark(result)) << '\n';
        if (!screenshot_path.isEmpty() && !dpflow::ui::saveWindowScreenshot(window, screenshot_path)) {
            err << "dpflow-studio: cannot write the screenshot " << screenshot_path << '\n';
            return 1;
        }
        return result.first_image_ms < 0 ? 1 : 0;
    }
    const bool opened = parser.isSet(open_option) && dpflow::ui::openAndWaitUntilListed(window, parser.values(open_option));
    if (parser.isSet(open_option) && !opened) err << "dpflow-studio: " << window.statusMessage() << '\n';
    if (parser.isSet(curve_option)) window.computeCurve();

    if (!screenshot_path.isEmpty()) {
        if (opened && window.hasModel()) {
            // The preview is computed on the engine's thread: wait for it (at most a minute).
            QEventLoop loop;
            QObject::connect(&window, &dpflow::ui::MainWindow::previewShown, &loop, &QEventLoop::quit);
            QObject::connect(&window, &dpflow::ui::MainWindow::previewFailed, &loop, &QEventLoop::quit);
            QTimer::singleShot(60000, &loop, &QEventLoop::quit);
            if (!window.lastPreview()) loop.exec();
            if (!window.lastPreview()) err << "dpflow-studio: the screenshot shows no preview (see the privacy panel for why)\n";
        }
        if (window.plotPanel()->curveRunning()) {
            QEventLoop loop;
            QObject::connect(window.plotPanel(), &dpflow::ui::PlotPanel::curveComputed, &loop, &QEventLoop::quit);
            QObject::connect(window.plotPanel(), &dpflow::ui::PlotPanel::curveStopped, &loop, &QEventLoop::quit);
            loop.exec();
        }
        if (parser.isSet(curve_option)) err << "dpflow-studio: " << window.plotPanel()->noteText() << '\n';
        if (!dpflow::ui::saveWindowScreenshot(window, screenshot_path)) {
            err << "dpflow-studio: cannot write the screenshot " << screenshot_path << '\n';
            return 1;
        }
        err << "dpflow-studio: screenshot saved to " << screenshot_path << '\n';
        return 0;
    }
    window.show();
    return app.exec();
}
