#pragma once

namespace dpflow {

/// Makes sure a QApplication exists so that QPainter can draw text and QCustomPlot (a widget)
/// can render into images and PDFs from the command line. When the process has none yet (the
/// `dpflow` CLI), one is created on the "offscreen" platform, so no display is needed; when the
/// studio's QApplication already runs, nothing is done. Throws std::runtime_error when the
/// process runs a Qt application without widgets. Not thread-safe: call from the main thread.
void ensureOffscreenGui();

}  // namespace dpflow
