#pragma once
// A grid of grayscale images with captions, rendered to PNG: the form in which the CLI shows
// what a model or a mechanism does (sample sheets, privacy strips for an ethics board).

#include "image/image.h"

#include <filesystem>
#include <string>
#include <vector>

namespace dpflow {

/// One cell of the grid: an image (display values in [0,1], any size) and the text under it
/// (lines separated by '\n'; empty for none).
struct SheetTile {
    Image image;
    std::string caption;
};

/// Images laid out row by row, `columns` per row, each drawn into a square of `tile_pixels`
/// (nearest-neighbour scaling, aspect ratio kept, so single pixels stay visible).
struct ContactSheet {
    std::string title;                      ///< drawn above the grid; empty for none
    std::vector<std::string> row_labels;    ///< drawn left of each row; empty, or one per row
    std::vector<std::string> column_labels; ///< drawn above each column; empty, or one per column
    int columns = 1;
    int tile_pixels = 192;
    std::vector<SheetTile> tiles;           ///< row-major; the last row may be incomplete
};

/// Renders `sheet` and writes it as an 8-bit RGB PNG (parent folders created). Throws
/// std::invalid_argument for no tiles, columns < 1, tile_pixels < 16, or label counts that do
/// not match the grid; std::runtime_error naming the file when it cannot be written.
void writeContactSheetPng(const ContactSheet& sheet, const std::filesystem::path& path);

}  // namespace dpflow
