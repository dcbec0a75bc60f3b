#pragma once

#include "image/image.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dpflow {

/// Stored sample values of one grayscale frame, already unpacked and sign-extended. Both the
/// DCMTK and the OpenJPEG decoding paths (and PNG) produce this, so that one display pipeline
/// serves all of them and gives identical results for identical stored values.
struct StoredFrame {
    int width = 0;
    int height = 0;
    int bits_stored = 8;            ///< 1..16
    bool is_signed = false;         ///< Pixel Representation 1 (two's complement)
    /// Row-major, width*height stored values. Integers of at most 16 bits and a sign, so exact
    /// in float; float so that renderDisplay can turn this very buffer into the display values
    /// (a read holds one full-size buffer beside the decoder's own, not two).
    std::vector<float> values;
};

/// A DICOM lookup table (Modality LUT or VOI LUT, PS3.3 C.11.1 / C.11.2): input values below
/// first_mapped use the first entry, values above the last mapped input use the last entry.
struct LookupTable {
    int32_t first_mapped = 0;        ///< LUT Descriptor value 2 (input mapped to entries[0])
    int output_bits = 16;            ///< LUT Descriptor value 3 (8..16)
    std::vector<uint16_t> entries;   ///< LUT Data, one entry per input value
    std::string explanation;         ///< LUT Explanation, for reports

    /// The entry for input x (rounded to the nearest integer, index clamped to the table).
    double lookup(double x) const;
};

/// VOI LUT Function (0028,1056), PS3.3 C.11.2.1.2-3.
enum class VoiFunction { Linear, LinearExact, Sigmoid };

/// Everything between a stored value and a display value in [0,1].
///
/// Formulas (x = stored value, m = modality value, y = display value, c/w = window):
///  - modality: m = slope * x + intercept, or m = modality_lut.lookup(x) when a Modality LUT
///    is present (PS3.3 C.11.1);
///  - VOI with a LUT: y = voi_lut.lookup(m) / (2^output_bits - 1);
///  - VOI LINEAR (C.11.2.1.2.1): y = 0 if m <= c - 0.5 - (w-1)/2, y = 1 if
///    m > c - 0.5 + (w-1)/2, else y = ((m - (c - 0.5)) / (w-1) + 0.5);
///  - VOI LINEAR_EXACT (C.11.2.1.3.2): y = 0 if m <= c - w/2, 1 if m > c + w/2, else (m - c)/w + 0.5;
///  - VOI SIGMOID (C.11.2.1.3.1): y = 1 / (1 + exp(-4 (m - c) / w));
///  - finally, if `invert` (MONOCHROME1 or Presentation LUT Shape INVERSE): y = 1 - y.
struct DisplayTransform {
    double rescale_slope = 1.0;
    double rescale_intercept = 0.0;
    std::optional<LookupTable> modality_lut;  ///< replaces slope/intercept when present
    std::optional<LookupTable> voi_lut;       ///< used instead of the window when present
    DisplayWindow window;                     ///< modality units; width >= 1 for Linear
    VoiFunction function = VoiFunction::Linear;
    bool invert = false;                      ///< applied after VOI
};

/// Modality value of one stored value (rescale or Modality LUT).
double modalityValue(int32_t stored, const DisplayTransform& transform);

/// Display value in [0,1] of a modality value through the window and VOI function only.
double applyWindow(double modality, const DisplayWindow& window, VoiFunction function);

/// Display values of a whole frame through the complete pipeline (modality, VOI, inversion),
/// computed in the frame's own buffer: pass the frame with std::move to spend no second buffer.
std::vector<float> renderDisplay(StoredFrame frame, const DisplayTransform& transform);

/// The LINEAR window that maps exactly [min, max] of the modality values onto [0,1]: the
/// fallback when a file carries neither a VOI LUT nor a window. center = min + (max-min+1)/2,
/// width = max-min+1, so that values <= min give 0, values >= max give 1 and values in between
/// give (m - min) / (max - min). A constant frame (min == max) shows as 0.
DisplayWindow minMaxWindow(double min, double max);

/// Smallest and largest modality value of the frame (first = min, second = max).
std::pair<double, double> modalityRange(const StoredFrame& frame, const DisplayTransform& transform);

/// The full-range window of an unsigned `bits`-deep image: maps stored x to x / (2^bits - 1)
/// (center 2^(bits-1), width 2^bits in the LINEAR formula).
DisplayWindow fullRangeWindow(int bits);

}  // namespace dpflow
