#pragma once

#include "image/image.h"

#include <QImage>
#include <QWidget>

namespace dpflow::ui {

/// Shows one radiograph scaled to fit (aspect kept, black surround) and reports the pixel
/// under the cursor. Owns a copy of the image so the pane never points at freed data.
class ImagePane : public QWidget {
    Q_OBJECT

public:
    explicit ImagePane(QWidget* parent = nullptr);

    void setImage(const Image& image);
    void clear();
    const Image& image() const { return image_; }

    /// The widget rectangle the image is drawn into (empty when no image is shown).
    QRect imageRect() const;

signals:
    /// Emitted as the cursor moves over the image: pixel column, row and display value.
    void pixelHovered(int x, int y, float value);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    Image image_;
    QImage rendered_;
};

}  // namespace dpflow::ui
