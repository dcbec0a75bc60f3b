#include "phantom_overlay.h"

#include <QImage>

namespace dpflow::ui {
namespace {

std::optional<QRectF> box(const ManifestRow& row, const std::string& prefix, double scale) {
    double values[4];
    const char* names[] = {"_x", "_y", "_w", "_h"};
    for (int i = 0; i < 4; ++i) {
        const auto found = row.find(prefix + names[i]);
        if (found == row.end() || found->second.empty()) return std::nullopt;
        bool ok = false;
        values[i] = QString::fromStdString(found->second).toDouble(&ok);
        if (!ok) return std::nullopt;
    }
    if (values[2] <= 0 || values[3] <= 0) return std::nullopt;
    return QRectF(values[0] * scale, values[1] * scale, values[2] * scale, values[3] * scale);
}

}  // namespace

PaneOverlay phantomOverlay(const ManifestRow& row, const std::filesystem::path& base_dir, int source_width, int pane_width) {
    PaneOverlay overlay;
    if (source_width <= 0 || pane_width <= 0) return overlay;
    const double scale = static_cast<double>(pane_width) / source_width;
    if (const auto mask = row.find("mask_file"); mask != row.end() && !mask->second.empty()) {
        const QImage gray(QString::fromStdString((base_dir / mask->second).string()));
        if (!gray.isNull()) {
            QImage tinted(gray.size(), QImage::Format_ARGB32);
            const QImage g = gray.convertToFormat(QImage::Format_Grayscale8);
            for (int y = 0; y < g.height(); ++y) {
                const uchar* in = g.constScanLine(y);
                auto* out = reinterpret_cast<QRgb*>(tinted.scanLine(y));
                for (int x = 0; x < g.width(); ++x) out[x] = in[x] ? qRgba(255, 40, 40, 90) : qRgba(0, 0, 0, 0);
            }
            overlay.mask = tinted;
        }
    }
    if (const auto text = box(row, "text", scale)) overlay.boxes.push_back({*text, QObject::tr("text")});
    if (const auto marker = box(row, "marker", scale)) overlay.boxes.push_back({*marker, QObject::tr("marker")});
    return overlay;
}

}  // namespace dpflow::ui
