#pragma once

#include <QString>

#include <QStringList>

class QWidget;

namespace dpflow::ui {

/// When neither an X11 nor a Wayland display is reachable and the user has not chosen a Qt
/// platform, selects Qt's offscreen platform so the studio can still render (and write a
/// screenshot) instead of failing to start. Call before constructing QApplication. Returns
/// true when it switched to offscreen.
bool useOffscreenPlatformIfNoDisplay();

/// Lays out and paints `window` (visible or offscreen) and saves it as a PNG. Returns false
/// when the file cannot be written.
bool saveWindowScreenshot(QWidget& window, const QString& path);

class MainWindow;

/// Opens `paths` in `window` and runs the event loop until they are listed (the window stays
/// responsive meanwhile); the first image's decode and preview follow. Returns what studyOpened
/// said: false when nothing openable was found (statusMessage says why).
bool openAndWaitUntilListed(MainWindow& window, const QStringList& paths);

}  // namespace dpflow::ui
