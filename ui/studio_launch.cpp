#include "studio_launch.h"

#include "main_window.h"

#include <QApplication>
#include <QEventLoop>
#include <QPixmap>
#include <QWidget>

#include <cstdlib>

namespace dpflow::ui {

bool useOffscreenPlatformIfNoDisplay() {
    const bool platform_chosen = std::getenv("QT_QPA_PLATFORM") != nullptr;
    const bool display_available = std::getenv("DISPLAY") != nullptr || std::getenv("WAYLAND_DISPLAY") != nullptr;
    if (platform_chosen || display_available) return false;
    qputenv("QT_QPA_PLATFORM", "offscreen");
    return true;
}

bool saveWindowScreenshot(QWidget& window, const QString& path) {
    window.show();
    QApplication::processEvents();
    return window.grab().save(path, "PNG");
}

bool openAndWaitUntilListed(MainWindow& window, const QStringList& paths) {
    bool readable = false;
    QEventLoop loop;
    const QMetaObject::Connection connection = QObject::connect(&window, &MainWindow::studyOpened, &loop, [&](bool found) {
        readable = found;
        loop.quit();
    });
    window.openPaths(paths);
    loop.exec();
    QObject::disconnect(connection);
    return readable;
}

}  // namespace dpflow::ui
