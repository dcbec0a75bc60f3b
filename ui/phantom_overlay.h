#pragma once

#include "image_pane.h"

#include <QString>

#include <filesystem>
#include <map>
#include <string>

namespace dpflow::ui {

/// A manifest row by column name.
using ManifestRow = std::map<std::string, std::string>;

/// The phantom's ground truth from its manifest row: the pathology mask (`mask_file`, tinted
/// where non-zero), the burned-in text box (`text_x/y/w/h`) and the side marker box
/// (`marker_x/y/w/h`), scaled from the source image's `source_width` to a pane image of
/// `pane_width` pixels (square scaling). Columns that are missing or empty are left out, so a
/// study without ground truth gives an empty overlay. An unreadable mask file is left out too.
PaneOverlay phantomOverlay(const ManifestRow& row, const std::filesystem::path& base_dir, int source_width, int pane_width);

}  // namespace dpflow::ui
