#pragma once

#include "qimage_conversion.h"

#include <QPointF>

namespace dpflow::ui {

/// How a pane shows its image: zoom relative to "fit", pan in widget pixels from centred, and
/// the display window. Linked panes share one ViewState.
struct ViewState {
    double zoom = 1.0;
    QPointF pan;
    DisplayRange window;

    bool operator==(const ViewState& other) const {
        return zoom == other.zoom && pan == other.pan && window.low == other.window.low && window.high == other.window.high;
    }
    bool operator!=(const ViewState& other) const { return !(*this == other); }
};

/// Window presets on the number keys 1 to 5 (display values): full range, soft tissue, lung,
/// bone and a narrow high-contrast window. Returns false for other keys.
bool windowPreset(int number, DisplayRange& range);

}  // namespace dpflow::ui
