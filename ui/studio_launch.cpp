#include "studio_launch.h"

#include <QApplication>
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

}  // namespace dpflow::ui
