#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace dpflow {

/// The values of the named top-level elements (DICOM keywords, e.g. "PatientSex") of a DICOM
/// file, reading its header only (up to the pixel data). Elements absent or empty are left out;
/// a PNG, an unreadable file or an unknown keyword gives no values, never an error: the caller
/// then treats the values as unknown.
std::map<std::string, std::string> readDicomHeaderValues(const std::filesystem::path& path,
                                                         const std::vector<std::string>& keywords);

}  // namespace dpflow
