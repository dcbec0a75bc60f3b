#include "image_pane.h"

#include "qimage_conversion.h"

#include <QMouseEvent>
#include <QPainter>

namespace dpflow::ui {

ImagePane::ImagePane(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setMinimumSize(256, 256);
    setAutoFillBackground(false);
}

void ImagePane::setImage(const Image& image) {
    image_ = image;
    rendered_ = toQImage(image_);
    update();
}

void ImagePane::clear() {
    image_ = Image{};
    rendered_ = QImage{};
    update();
}

QRect ImagePane::imageRect() const {
    if (rendered_.isNull()) return {};
    QSize fitted = rendered_.size().scaled(size(), Qt::KeepAspectRatio);
    return QRect(QPoint((width() - fitted.width()) / 2, (height() - fitted.height()) / 2), fitted);
}

void ImagePane::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), Qt::black);
    if (rendered_.isNull()) {
        painter.setPen(Qt::gray);
        painter.drawText(rect(), Qt::AlignCenter, tr("Open a DICOM or PNG image (File > Open, or drop it here)"));
        return;
    }
    painter.setRenderHint(QPainter::SmoothPixmapTransform, true);
    painter.drawImage(imageRect(), rendered_);
}

void ImagePane::mouseMoveEvent(QMouseEvent* event) {
    const QRect target = imageRect();
    if (target.isEmpty() || !target.contains(event->position().toPoint())) return;
    const int x = static_cast<int>((event->position().x() - target.left()) * image_.width / target.width());
    const int y = static_cast<int>((event->position().y() - target.top()) * image_.height / target.height());
    if (x >= 0 && y >= 0 && x < image_.width && y < image_.height) emit pixelHovered(x, y, image_.at(x, y));
}

}  // namespace dpflow::ui
