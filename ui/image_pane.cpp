#include "image_pane.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace dpflow::ui {

bool windowPreset(int number, DisplayRange& range) {
    static const DisplayRange presets[] = {{0.0f, 1.0f}, {0.2f, 0.8f}, {0.0f, 0.5f}, {0.5f, 1.0f}, {0.35f, 0.65f}};
    if (number < 1 || number > 5) return false;
    range = presets[number - 1];
    return true;
}

ImagePane::ImagePane(const QString& title, QWidget* parent) : QWidget(parent), title_(title) {
    setMouseTracking(true);
    setMinimumSize(200, 200);
    setFocusPolicy(Qt::StrongFocus);
}

void ImagePane::setImage(const Image& image) {
    image_ = image;
    render();
}

void ImagePane::clear() {
    image_ = Image{};
    rendered_ = QImage{};
    update();
}

void ImagePane::render() {
    rendered_ = image_.empty() ? QImage{} : toQImage(image_, view_.window);
    update();
}

void ImagePane::setViewState(const ViewState& view) {
    const bool window_changed = view.window.low != view_.window.low || view.window.high != view_.window.high;
    view_ = view;
    if (window_changed) render();
    else update();
}

void ImagePane::changeView(const ViewState& view) {
    if (view == view_) return;
    setViewState(view);
    emit viewChanged(view_);
}

void ImagePane::resetView() { changeView(ViewState{}); }

void ImagePane::setOverlay(PaneOverlay overlay) {
    overlay_ = std::move(overlay);
    update();
}

void ImagePane::setOverlayVisible(bool visible) {
    overlay_visible_ = visible;
    update();
}

QRectF ImagePane::imageRect() const {
    if (rendered_.isNull()) return {};
    const QSizeF fitted = QSizeF(rendered_.size()).scaled(QSizeF(size()), Qt::KeepAspectRatio) * view_.zoom;
    const QPointF centre = QPointF(width() / 2.0, height() / 2.0) + view_.pan;
    return QRectF(centre - QPointF(fitted.width() / 2, fitted.height() / 2), fitted);
}

void ImagePane::setBadge(const QString& text) {
    badge_ = text;
    update();
}

void ImagePane::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), Qt::black);
    if (rendered_.isNull()) {
        painter.setPen(Qt::gray);
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, tr("%1\nOpen a DICOM or PNG image (File > Open, or drop it here)").arg(title_));
        return;
    }
    const QRectF target = imageRect();
    painter.setRenderHint(QPainter::SmoothPixmapTransform, view_.zoom < 2.0);
    painter.drawImage(target, rendered_);
    if (overlay_visible_ && !overlay_.empty()) {
        if (!overlay_.mask.isNull()) painter.drawImage(target, overlay_.mask);
        const double sx = target.width() / image_.width, sy = target.height() / image_.height;
        painter.setPen(QPen(QColor(255, 200, 0), 1.5));
        for (const auto& box : overlay_.boxes) {
            const QRectF r(target.left() + box.rect.x() * sx, target.top() + box.rect.y() * sy, box.rect.width() * sx, box.rect.height() * sy);
            painter.drawRect(r);
            painter.drawText(r.bottomLeft() + QPointF(2, 12), box.label);
        }
    }
    if (!badge_.isEmpty()) {
        const QRectF band(target.left(), target.top(), target.width(), 22);
        painter.fillRect(band, QColor(180, 20, 20, 200));
        painter.setPen(Qt::white);
        painter.drawText(band, Qt::AlignCenter, badge_);
    }
    painter.setPen(QColor(230, 230, 230));
    painter.drawText(QRectF(6, 4, width() - 12, 20), Qt::AlignLeft | Qt::AlignVCenter, title_);
    painter.drawText(QRectF(6, height() - 22, width() - 12, 20), Qt::AlignRight | Qt::AlignVCenter,
                     tr("W %1  L %2").arg(view_.window.high - view_.window.low, 0, 'f', 2).arg((view_.window.high + view_.window.low) / 2, 0, 'f', 2));
}

void ImagePane::mousePressEvent(QMouseEvent* event) {
    setFocus();
    drag_start_ = event->position();
    drag_start_view_ = view_;
    if (event->button() == Qt::MiddleButton || (event->button() == Qt::LeftButton && space_held_)) drag_ = Drag::Pan;
    else if (event->button() == Qt::LeftButton) drag_ = Drag::Window;
}

void ImagePane::mouseMoveEvent(QMouseEvent* event) {
    const QPointF delta = event->position() - drag_start_;
    if (drag_ == Drag::Pan) {
        ViewState view = view_;
        view.pan = drag_start_view_.pan + delta;
        changeView(view);
    } else if (drag_ == Drag::Window) {
        // One pane width of drag spans the whole value range, as in common PACS viewers.
        const double scale = 1.0 / std::max(1, width());
        const double centre = (drag_start_view_.window.low + drag_start_view_.window.high) / 2.0 - delta.y() * scale;
        const double window = std::max(0.01, (drag_start_view_.window.high - drag_start_view_.window.low) + delta.x() * scale);
        ViewState view = view_;
        view.window = DisplayRange{static_cast<float>(centre - window / 2), static_cast<float>(centre + window / 2)};
        changeView(view);
    }
    const QRectF target = imageRect();
    if (target.isEmpty() || !target.contains(event->position())) return;
    const int x = static_cast<int>((event->position().x() - target.left()) * image_.width / target.width());
    const int y = static_cast<int>((event->position().y() - target.top()) * image_.height / target.height());
    if (x >= 0 && y >= 0 && x < image_.width && y < image_.height) emit pixelHovered(x, y, image_.at(x, y));
}

void ImagePane::mouseReleaseEvent(QMouseEvent*) { drag_ = Drag::None; }

void ImagePane::mouseDoubleClickEvent(QMouseEvent*) { resetView(); }

void ImagePane::wheelEvent(QWheelEvent* event) {
    const double factor = std::pow(1.0015, event->angleDelta().y());
    ViewState view = view_;
    view.zoom = std::clamp(view_.zoom * factor, 0.25, 32.0);
    // Keep the point under the cursor where it is.
    const QPointF centre = QPointF(width() / 2.0, height() / 2.0);
    const QPointF from_centre = event->position() - centre - view_.pan;
    view.pan = view_.pan + from_centre * (1.0 - view.zoom / view_.zoom);
    changeView(view);
}

void ImagePane::keyPressEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        space_held_ = true;
        return;
    }
    DisplayRange range;
    if (event->key() >= Qt::Key_1 && event->key() <= Qt::Key_9 && windowPreset(event->key() - Qt::Key_0, range)) {
        ViewState view = view_;
        view.window = range;
        changeView(view);
        return;
    }
    QWidget::keyPressEvent(event);
}

void ImagePane::keyReleaseEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) space_held_ = false;
    QWidget::keyReleaseEvent(event);
}

}  // namespace dpflow::ui
