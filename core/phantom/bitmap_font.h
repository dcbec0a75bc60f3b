#pragma once

#include <string>
#include <vector>

namespace dpflow {

/// An axis-aligned box of image pixels: columns [x, x+width), rows [y, y+height).
struct PixelBox {
    int x = 0;
    int y = 0;
    int width = 0;
    int height = 0;

    bool empty() const { return width <= 0 || height <= 0; }
    bool contains(int column, int row) const {
        return column >= x && column < x + width && row >= y && row < y + height;
    }
};

/// A built-in 5x7 bitmap font (A-Z, 0-9, space and - . , : / ^ ( ) ' # _), so that phantoms can
/// carry burned-in annotations and lead markers without any font file. Lowercase letters are
/// drawn as uppercase.
class BitmapFont {
public:
    /// Whether `c` has a glyph (after folding lowercase to uppercase).
    static bool hasGlyph(char c);

    /// The pixel box that `text` covers when its top-left corner is at (x, y) and a glyph is
    /// `glyph_height` pixels tall (any positive size: below about 7 pixels the text blurs,
    /// as it would in a downsampled radiograph). Glyphs advance by 6/7 of their height.
    static PixelBox measure(const std::string& text, double x, double y, double glyph_height);

    /// Adds the area coverage (0..1 per pixel, 4x4 supersampled) of `text` to `coverage`, a
    /// row-major width x height raster, clipping at its borders. Throws std::invalid_argument
    /// naming the first character without a glyph.
    static void rasterize(const std::string& text, double x, double y, double glyph_height,
                          std::vector<float>& coverage, int width, int height);
};

}  // namespace dpflow
