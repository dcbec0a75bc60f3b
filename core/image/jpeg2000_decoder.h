#pragma once

#include "image/voi_transform.h"

#include <cstdint>
#include <vector>

namespace dpflow {

/// Decodes one JPEG 2000 frame (a raw codestream as DICOM stores it, or a JP2 file) with
/// OpenJPEG into stored values, so that JPEG 2000 DICOMs, which DCMTK's open edition cannot
/// decode, enter the same display pipeline as every other transfer syntax.
/// Throws std::runtime_error with a reason (OpenJPEG's message, more than one component, a
/// size above kMaxImageDimension, or more than 16 bits of precision).
StoredFrame decodeJpeg2000(const std::vector<uint8_t>& bytes);

}  // namespace dpflow
