#pragma once

#include "image/image.h"
#include "view_state.h"

#include <QImage>
#include <QRectF>
#include <QString>
#include <QWidget>

#include <vector>

namespace dpflow::ui {

/// Ground truth drawn over a pane: a tinted mask and labelled boxes, in image pixels.
struct PaneOverlay {
    QImage mask;  ///< ARGB, the image's size (transparent where there is nothing)
    struct Box {
        QRectF rect;
        QString label;
    };
    std::vector<Box> boxes;
    bool empty() const { return mask.isNull() && boxes.empty(); }
};

/// One radiograph with medical-viewer conventions: left-drag changes the window (horizontal:
/// width, vertical: level), the wheel zooms about the cursor, middle-drag or space + left-drag
/// pans, double-click resets, keys 1-5 choose window presets. Reports the pixel under the cursor
/// and every view change (for linking panes). Owns a copy of its image.
class ImagePane : public QWidget {
    Q_OBJECT

public:
    explicit ImagePane(const QString& title = {}, QWidget* parent = nullptr);

    /// Shows `image`; the view (zoom, pan, window) stays as it is.
    void setImage(const Image& image);
    void clear();
    const Image& image() const { return image_; }

    const ViewState& viewState() const { return view_; }
    /// Applies a view without emitting viewChanged (used to mirror a linked pane).
    void setViewState(const ViewState& view);
    /// Back to fit-to-pane, centred, full window; emits viewChanged.
    void resetView();

    void setOverlay(PaneOverlay overlay);
    void setOverlayVisible(bool visible);
    bool overlayVisible() const { return overlay_visible_; }
    const PaneOverlay& overlay() const { return overlay_; }

    /// A warning drawn across the top of the image in red (e.g. the safeguard would withhold
    /// this preview on export); empty removes it.
    void setBadge(const QString& text);
    const QString& badge() const { return badge_; }

    /// The widget rectangle the image is drawn into (empty when no image is shown).
    QRectF imageRect() const;

signals:
    /// The cursor is over pixel (x, y) whose display value is `value`.
    void pixelHovered(int x, int y, float value);
    /// The user changed zoom, pan or window.
    void viewChanged(const dpflow::ui::ViewState& view);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;

private:
    enum class Drag { None, Window, Pan };
    void changeView(const ViewState& view);
    void render();

    QString title_;
    QString badge_;
    Image image_;
    QImage rendered_;
    ViewState view_;
    PaneOverlay overlay_;
    bool overlay_visible_ = false;
    bool space_held_ = false;
    Drag drag_ = Drag::None;
    QPointF drag_start_;
    ViewState drag_start_view_;
};

}  // namespace dpflow::ui
