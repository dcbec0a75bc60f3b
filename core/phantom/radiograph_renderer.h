#pragma once

#include "image/image.h"
#include "phantom/acquisition.h"
#include "phantom/bitmap_font.h"
#include "phantom/thorax_scene.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dpflow {

/// Smallest and largest image side the generator renders (pixels).
constexpr int kMinPhantomSize = 64;
constexpr int kMaxPhantomSize = 4096;  // a 43 cm detector at 0.1 mm is about 4300 px

/// What to draw besides the anatomy. Turning an overlay off leaves every other pixel and the
/// noise unchanged, which is how tests find exactly what an overlay changed.
struct RenderOptions {
    int size = 256;             ///< image side in pixels, kMinPhantomSize..kMaxPhantomSize
    bool burn_in_text = true;   ///< the patient name/ID line in a corner
    bool place_marker = true;   ///< the lead laterality marker ("L"/"R")
};

/// A rendered phantom radiograph and its ground truth.
struct RenderedRadiograph {
    Image image;                      ///< display values of 12-bit stored values, bright = dense
    std::vector<std::uint8_t> mask;   ///< size*size, kMaskConsolidation / kMaskEffusion / kMaskNodule or 0
    PixelBox text_box;                ///< where the burned-in text is (empty if not drawn)
    PixelBox marker_box;              ///< where the lead marker is (empty if not placed)
};

/// Projects `scene` as positioned by `acquisition` onto a square detector (parallel beam along
/// the patient's front-to-back axis, chords through every body computed analytically), runs
/// the detector chain (see detector_model.h) and quantises to 12 bits. `text` is burned in at
/// `text_corner` (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right). Deterministic for
/// equal inputs. Throws std::invalid_argument for a size outside the supported range or text
/// the built-in font cannot draw.
RenderedRadiograph renderRadiograph(const ThoraxScene& scene, const Acquisition& acquisition,
                                    const std::string& text, int text_corner, std::uint64_t noise_seed,
                                    const RenderOptions& options);

}  // namespace dpflow
