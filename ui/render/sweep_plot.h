#pragma once

#include "eval/sweep_results.h"

#include <filesystem>

namespace dpflow {

/// Where a sweep's plot is written: beside the results CSV, same stem.
struct SweepPlotFiles {
    std::filesystem::path png;  ///< raster, for screens and reports
    std::filesystem::path pdf;  ///< vector, for print
};

/// results.csv -> results.png and results.pdf.
SweepPlotFiles sweepPlotPaths(const std::filesystem::path& results_csv);

/// Draws what a privacy officer chooses eps from, against eps on a log axis (QCustomPlot):
/// left, the downstream ROC AUC per mechanism with its 95% DeLong band (protocol a solid,
/// protocol b dashed), the originals' AUC and 0.5 as reference lines; right (when the sweep ran
/// re-identification), every attacker's top-1 identification rate per mechanism with the
/// chance level and twice chance. Writes the PNG (1600 x 700 px) and the PDF. Creates an
/// offscreen QApplication when the process has none (QCustomPlot is a widget).
/// Throws std::invalid_argument when the results hold no row, std::runtime_error naming the
/// file when one cannot be written or when a non-widget Qt application already runs.
void writeSweepPlot(const SweepResults& results, const SweepPlotFiles& files);

}  // namespace dpflow
