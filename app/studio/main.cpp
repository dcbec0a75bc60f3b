#include "main_window.h"
#include "studio_launch.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTextStream>

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
    parser.addOption(open_option);
    parser.addOption(screenshot_option);
    parser.process(app);

    QTextStream err(stderr);
    QString screenshot_path = parser.value(screenshot_option);
    if (headless && screenshot_path.isEmpty()) {
        screenshot_path = "dpflow-studio-screenshot.png";
        err << "dpflow-studio: no display found (DISPLAY and WAYLAND_DISPLAY are unset), so the studio "
               "renders offscreen and saves " << screenshot_path << ".\n"
               "To use it interactively, start it from a desktop session, or under a virtual display: "
               "xvfb-run -a dpflow-studio ...\n";
    }

    dpflow::ui::MainWindow window;
    if (parser.isSet(open_option) && !window.openPaths(parser.values(open_option)))
        err << "dpflow-studio: " << window.statusMessage() << '\n';

    if (!screenshot_path.isEmpty()) {
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
