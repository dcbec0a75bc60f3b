#pragma once

#include "image/folder_scan.h"
#include "image/image.h"

#include <string>

namespace dpflow {

/// One line describing an image for people: size, stored bits, photometric interpretation,
/// transfer syntax (or PNG), window and where it came from, warnings. Example:
/// "2048x2500, 12-bit, MONOCHROME1, JPEG 2000 (lossless only), window 2048/4096 (file window 1 of 2);
/// warning: multi-frame: showing frame 1 of 3". Shared by `dpflow info` and the studio.
std::string describeImage(const Image& image);

/// One report line for a scan entry: "PATH: <describeImage>", "PATH: skipped: REASON" or
/// "PATH: error: REASON".
std::string describeScanEntry(const ScanEntry& entry);

}  // namespace dpflow
