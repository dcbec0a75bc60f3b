#pragma once

// Shared by the GUI tests: the shipped 32 px PneumoniaMNIST flow (fast to encode and decode)
// and a small study of real PneumoniaMNIST radiographs read in place from the shared data.

#include "main_window.h"

#include "image/manifest.h"

#include <QSignalSpy>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <filesystem>

namespace dpflow::ui {

inline const QString kSmallModel = QString(DPFLOW_SOURCE_DIR) + "/models/pneumoniamnist-glow32.safetensors";

inline StudioOptions smallModelOptions() { return StudioOptions{kSmallModel}; }

/// Opens `paths` as the user does and waits (at most 30 s) until they are listed (off the UI
/// thread). False when nothing openable was found (or the listing did not finish).
inline bool openStudy(MainWindow& window, const QStringList& paths) {
    QSignalSpy opened(&window, &MainWindow::studyOpened);
    window.openPaths(paths);
    if (opened.isEmpty() && !opened.wait(30000)) return false;
    return opened.takeFirst().at(0).toBool();
}

/// As openStudy, then waits (at most 30 s) until the first image is decoded and shown: the
/// study browser decodes off the UI thread. False when nothing could be opened or no image was
/// shown.
inline bool openAndShow(MainWindow& window, const QStringList& paths) {
    QSignalSpy shown(&window, &MainWindow::imageShown);
    if (!openStudy(window, paths)) return false;
    return !shown.isEmpty() || shown.wait(30000);
}

/// A manifest in `dir` listing three test radiographs (absolute paths, label column as the
/// model's attribute). Returns the folder to open.
inline QString writePneumoniaStudy(const QTemporaryDir& dir) {
    const std::filesystem::path images = std::filesystem::path(DPFLOW_SHARED_DATA_DIR) / "pneumoniamnist" / "png" / "test";
    Manifest manifest({"file", "split", "label"}, dir.path().toStdString());
    manifest.addRow({(images / "test_00234_normal.png").string(), "test", "0"});
    manifest.addRow({(images / "test_00000_pneumonia.png").string(), "test", "1"});
    manifest.addRow({(images / "test_00235_normal.png").string(), "test", "0"});
    manifest.write(std::filesystem::path(dir.path().toStdString()) / "manifest.csv");
    return dir.path();
}

}  // namespace dpflow::ui
