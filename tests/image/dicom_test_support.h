#pragma once

#include "image/voi_transform.h"

#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <filesystem>
#include <memory>
#include <string>

namespace dpflow::test {

/// A fresh, empty folder under the system temp folder, unique to `name`.
std::filesystem::path freshTempFolder(const std::string& name);

/// A frame of `bits_stored`-bit values that uses the whole range in a smooth pattern plus a
/// deterministic texture, so that codecs have real work to do and every bit matters.
StoredFrame patternFrame(int width, int height, int bits_stored, bool is_signed);

/// A grayscale Secondary Capture dataset holding `frame` (Bits Allocated 8 or 16 chosen from
/// bits_stored), with the given photometric interpretation and no window.
std::unique_ptr<DcmFileFormat> makeDicom(const StoredFrame& frame, const std::string& photometric = "MONOCHROME2");

/// Registers DCMTK's RLE, JPEG and JPEG-LS encoders (once) for tests that write compressed files.
void registerDcmtkEncoders();

/// Saves `file` in `xfer`, compressing with DCMTK's encoders (chooseRepresentation) first.
void saveWithDcmtk(DcmFileFormat& file, const std::filesystem::path& path, E_TransferSyntax xfer,
                   const DcmRepresentationParameter* parameter = nullptr);

/// Saves `file` as JPEG 2000 (lossless: reversible 5/3 wavelet; else irreversible 9/7 at the
/// given compression ratio), encoding the frame with OpenJPEG. When `meta_xfer_uid` is not
/// empty, the meta header names that transfer syntax instead (to fake HTJ2K, JPEG XL, ...).
void saveAsJpeg2000(DcmFileFormat& file, const StoredFrame& frame, const std::filesystem::path& path,
                    bool lossless, float ratio = 10.0f, const std::string& meta_xfer_uid = {});

}  // namespace dpflow::test
