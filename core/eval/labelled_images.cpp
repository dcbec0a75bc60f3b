#include "eval/labelled_images.h"

#include "image/image_reader.h"

#include <fmt/format.h>

#include <algorithm>

namespace dpflow {

std::size_t LabelledImages::positives() const {
    return static_cast<std::size_t>(std::count(labels.begin(), labels.end(), 1));
}

LabelledImages loadLabelledImages(const Manifest& manifest, const std::string& split, const std::string& label_column) {
    const auto where = (manifest.baseDir() / "manifest").parent_path().string();
    if (!manifest.hasColumn(label_column))
        throw ManifestError(fmt::format("manifest in {} has no column '{}' (columns: {})", where, label_column,
                                        fmt::join(manifest.columns(), ", ")));
    const auto rows = manifest.rowsInSplit(split);
    if (rows.empty()) throw ManifestError(fmt::format("manifest in {} has no rows in split '{}'", where, split));
    LabelledImages data;
    for (const auto row : rows) {
        const auto& value = manifest.value(row, label_column);
        if (value != "0" && value != "1")
            throw ManifestError(fmt::format("manifest in {}: {} has {} = '{}', expected 0 or 1", where,
                                            manifest.file(row).string(), label_column, value));
        data.images.push_back(readImage(manifest.file(row)));
        data.labels.push_back(value == "1" ? 1 : 0);
    }
    return data;
}

}  // namespace dpflow
