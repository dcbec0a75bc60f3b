#include "qimage_conversion.h"

#include <algorithm>
#include <cmath>

namespace dpflow::ui {

QImage toQImage(const Image& image, DisplayRange range) {
    QImage result(image.width, image.height, QImage::Format_Grayscale8);
    const float span = std::max(range.high - range.low, 1e-6f);
    for (int y = 0; y < image.height; ++y) {
        uchar* line = result.scanLine(y);
        for (int x = 0; x < image.width; ++x) {
            const float v = std::clamp((image.at(x, y) - range.low) / span, 0.0f, 1.0f);
            line[x] = static_cast<uchar>(std::lround(v * 255.0f));
        }
    }
    return result;
}

}  // namespace dpflow::ui
