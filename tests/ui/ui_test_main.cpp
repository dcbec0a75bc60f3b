#include <gtest/gtest.h>

#include <QApplication>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <cstdio>

// Widgets need a QApplication; the offscreen platform lets the suite run without a display.
//
// Settings: every test process gets a settings folder of its own, removed when it ends. The
// studio remembers things between windows (the last curve, the export folder), and ctest runs
// the UI tests in parallel processes: with shared settings one test's window reopened the curve
// another had just stored. XDG_CONFIG_HOME carries the same folder to the studio processes a
// test starts, so they neither read nor write the user's own studio settings.
int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QStandardPaths::setTestModeEnabled(true);
    QTemporaryDir settings_folder;
    if (!settings_folder.isValid()) {
        std::fprintf(stderr, "cannot create a temporary settings folder: %s\n",
                     qPrintable(settings_folder.errorString()));
        return 2;
    }
    qputenv("XDG_CONFIG_HOME", settings_folder.path().toLocal8Bit());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settings_folder.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settings_folder.path());
    QApplication app(argc, argv);
    QApplication::setOrganizationName("DP-Flow-tests");
    QApplication::setApplicationName("dpflow_ui_tests");
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
