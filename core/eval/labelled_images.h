#pragma once

#include "image/image.h"
#include "image/manifest.h"

#include <string>
#include <vector>

namespace dpflow {

/// Images with a binary label each (1 = finding present), as the downstream classifier and its
/// evaluation take them.
struct LabelledImages {
    std::vector<Image> images;
    std::vector<int> labels;  ///< 0 or 1, one per image

    std::size_t positives() const;
    std::size_t negatives() const { return labels.size() - positives(); }
};

/// Reads the images of `split` (all rows when empty) with their labels from `label_column`.
/// Labels must be "0" or "1". Throws ManifestError naming the manifest when the column is
/// missing (listing the columns there are), a label is not 0/1 (naming the row's file), or the
/// split has no rows; ImageError when an image cannot be read.
LabelledImages loadLabelledImages(const Manifest& manifest, const std::string& split, const std::string& label_column);

}  // namespace dpflow
