#include "render/contact_sheet.h"

#include "render/offscreen_gui.h"

#include <QFont>
#include <QFontMetrics>
#include <QImage>
#include <QPainter>
#include <QString>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dpflow {
namespace {

QImage toGray8(const Image& image) {
    QImage out(image.width, image.height, QImage::Format_Grayscale8);
    for (int y = 0; y < image.height; ++y) {
        auto* line = out.scanLine(y);
        for (int x = 0; x < image.width; ++x) {
            line[x] = static_cast<uchar>(std::lround(std::clamp(image.at(x, y), 0.0f, 1.0f) * 255.0f));
        }
    }
    return out;
}

int lineCount(const std::string& text) {
    return text.empty() ? 0 : 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

void writeContactSheetPng(const ContactSheet& sheet, const std::filesystem::path& path) {
    if (sheet.tiles.empty()) throw std::invalid_argument("contact sheet: no images to draw");
    if (sheet.columns < 1) throw std::invalid_argument("contact sheet: columns must be at least 1");
    if (sheet.tile_pixels < 16) throw std::invalid_argument("contact sheet: tiles must be at least 16 pixels");
    const int rows = static_cast<int>((sheet.tiles.size() + sheet.columns - 1) / sheet.columns);
    if (!sheet.row_labels.empty() && static_cast<int>(sheet.row_labels.size()) != rows) {
        throw std::invalid_argument("contact sheet: " + std::to_string(sheet.row_labels.size()) + " row labels for " +
                                    std::to_string(rows) + " rows");
    }
    if (!sheet.column_labels.empty() && static_cast<int>(sheet.column_labels.size()) != sheet.columns) {
        throw std::invalid_argument("contact sheet: " + std::to_string(sheet.column_labels.size()) + " column labels for " +
                                    std::to_string(sheet.columns) + " columns");
    }
    ensureOffscreenGui();

    QFont font("DejaVu Sans");
    font.setPixelSize(std::max(10, sheet.tile_pixels / 14));
    const QFontMetrics metrics(font);
    const int line = metrics.height();
    const int gap = line / 2;
    int caption_lines = 0;
    for (const auto& tile : sheet.tiles) caption_lines = std::max(caption_lines, lineCount(tile.caption));
    int label_width = 0;
    for (const auto& label : sheet.row_labels) {
        for (const auto& part : QString::fromStdString(label).split('\n')) label_width = std::max(label_width, metrics.horizontalAdvance(part));
    }
    const int left = sheet.row_labels.empty() ? gap : label_width + 2 * gap;
    const int top = gap + (sheet.title.empty() ? 0 : lineCount(sheet.title) * line + gap) +
                    (sheet.column_labels.empty() ? 0 : line + gap);
    const int cell_w = sheet.tile_pixels + gap;
    const int cell_h = sheet.tile_pixels + caption_lines * line + gap;

    QImage canvas(left + sheet.columns * cell_w, top + rows * cell_h, QImage::Format_RGB32);
    canvas.fill(Qt::white);
    QPainter painter(&canvas);
    painter.setFont(font);
    painter.setPen(Qt::black);
    if (!sheet.title.empty()) {
        painter.drawText(QRect(gap, gap, canvas.width() - 2 * gap, lineCount(sheet.title) * line), Qt::AlignLeft | Qt::AlignTop,
                         QString::fromStdString(sheet.title));
    }
    const int header_y = top - (sheet.column_labels.empty() ? 0 : line + gap);
    for (int c = 0; c < static_cast<int>(sheet.column_labels.size()); ++c) {
        painter.drawText(QRect(left + c * cell_w, header_y, sheet.tile_pixels, line), Qt::AlignHCenter | Qt::AlignTop,
                         QString::fromStdString(sheet.column_labels[c]));
    }
    for (int r = 0; r < static_cast<int>(sheet.row_labels.size()); ++r) {
        painter.drawText(QRect(gap, top + r * cell_h, label_width, sheet.tile_pixels), Qt::AlignLeft | Qt::AlignVCenter,
                         QString::fromStdString(sheet.row_labels[r]));
    }
    for (size_t i = 0; i < sheet.tiles.size(); ++i) {
        const auto& tile = sheet.tiles[i];
        const int x = left + static_cast<int>(i % sheet.columns) * cell_w;
        const int y = top + static_cast<int>(i / sheet.columns) * cell_h;
        if (!tile.image.empty()) {
            const QImage scaled = toGray8(tile.image).scaled(sheet.tile_pixels, sheet.tile_pixels, Qt::KeepAspectRatio, Qt::FastTransformation);
            painter.drawImage(x + (sheet.tile_pixels - scaled.width()) / 2, y + (sheet.tile_pixels - scaled.height()) / 2, scaled);
        } else {
            painter.fillRect(x, y, sheet.tile_pixels, sheet.tile_pixels, QColor(230, 230, 230));
        }
        painter.drawText(QRect(x, y + sheet.tile_pixels, sheet.tile_pixels, caption_lines * line), Qt::AlignHCenter | Qt::AlignTop,
                         QString::fromStdString(tile.caption));
    }
    painter.end();
    std::error_code error;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), error);
    if (error || !canvas.save(QString::fromStdString(path.string()), "PNG")) {
        throw std::runtime_error(path.string() + ": cannot write the contact sheet PNG");
    }
}

}  // namespace dpflow
