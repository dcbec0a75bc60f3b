#include <gtest/gtest.h>

#include <QApplication>
#include <QStandardPaths>

// Widgets need a QApplication; the offscreen platform lets the suite run without a display.
// Test mode keeps QSettings away from the user's own studio settings.
int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QStandardPaths::setTestModeEnabled(true);
    QApplication app(argc, argv);
    QApplication::setOrganizationName("DP-Flow-tests");
    QApplication::setApplicationName("dpflow_ui_tests");
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
