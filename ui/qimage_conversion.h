#pragma once

#include "image/image.h"

#include <QImage>

namespace dpflow::ui {

/// A display window on [0,1] display values: values at or below `low` show black, at or
/// above `high` white, linearly in between. The full range is the identity mapping.
struct DisplayRange {
    float low = 0.0f;
    float high = 1.0f;
};

/// Renders display values as an 8-bit grayscale QImage through `range`.
QImage toQImage(const Image& image, DisplayRange range = {});

}  // namespace dpflow::ui
