#pragma once

#include "image/dicom_writer.h"
#include "phantom/phantom_study.h"

#include <cstdint>
#include <string>

namespace dpflow {

/// A DICOM UID under the UUID-derived root 2.25 whose number is the 128-bit value high:low:
/// deterministic, so regenerating a study gives the same UIDs.
std::string phantomUid(std::uint64_t high, std::uint64_t low);

/// The full synthetic header of a phantom image: patient (name, id, birth date, sex, age,
/// address), study (one per patient: date, time, StudyInstanceUID, accession number,
/// institution, referring physician), series and instance (one per image), modality DX/CR,
/// view position and imager spacing, burned-in annotation YES. All identifying values are
/// invented and deterministic for `seed`, so that de-identification can be checked against
/// known values.
DicomAttributes phantomDicomAttributes(std::uint64_t seed, const PhantomImageSpec& spec, double pixel_mm);

}  // namespace dpflow
