#pragma once

#include "image/image.h"
#include "image/read_options.h"

#include <filesystem>
#include <vector>

class DcmFileFormat;

namespace dpflow {

/// Reads the first frame of a grayscale DICOM image (with or without preamble/meta header) as
/// display values: stored values are decoded (DCMTK for native, deflated, RLE, JPEG and JPEG-LS
/// transfer syntaxes; OpenJPEG for JPEG 2000), then sent through the modality and VOI steps of
/// voi_transform.h. The VOI step is, in order of preference: options.window; the first item of
/// the VOI LUT Sequence; the first valid Window Center/Width pair (with VOI LUT Function); the
/// min-max window of the frame. MONOCHROME1 and Presentation LUT Shape INVERSE are inverted
/// after VOI. A multi-frame file gives its first frame and a warning.
///
/// Throws ImageError naming the reason for: a file DCMTK cannot parse (truncated, malformed),
/// no Pixel Data (non-image SOP classes such as structured reports), a transfer syntax without
/// decoder here (named in words), colour images, Bits Allocated other than 8 or 16, sizes of
/// zero or above kMaxImageDimension, pixel data shorter than the first frame needs, and codec
/// failures.
Image readDicom(const std::filesystem::path& path, const ImageReadOptions& options = {});

/// Parses a whole DICOM file from its bytes in memory into `file` (for callers that need the
/// header of exactly those bytes). Throws ImageError for an empty, truncated or malformed file.
void loadDicomBytes(const std::vector<unsigned char>& bytes, const std::filesystem::path& path, DcmFileFormat& file);

/// As readDicom on the file's bytes already in memory; `path` names the image.
Image readDicomBytes(const std::vector<unsigned char>& bytes, const std::filesystem::path& path,
                     const ImageReadOptions& options = {});

}  // namespace dpflow
