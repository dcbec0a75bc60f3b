#pragma once

#include "image/dicom_writer.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

class DcmItem;

namespace dpflow {

/// The named top-level elements of `dataset` that have a value, by DICOM keyword, in the order
/// of `keywords` (unknown keywords and empty elements are left out).
DicomAttributes dicomValuesOf(DcmItem& dataset, const std::vector<std::string>& keywords);

/// The values of the named top-level elements (DICOM keywords, e.g. "PatientSex") of a DICOM
/// file, reading its header only (up to the pixel data). Elements absent or empty are left out;
/// a PNG, an unreadable file or an unknown keyword gives no values, never an error: the caller
/// then treats the values as unknown.
std::map<std::string, std::string> readDicomHeaderValues(const std::filesystem::path& path,
                                                         const std::vector<std::string>& keywords);

}  // namespace dpflow
