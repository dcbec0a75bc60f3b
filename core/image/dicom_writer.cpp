#include "image/dicom_writer.h"

#include "image/deidentification_profile.h"
#include "image/dicom_codecs.h"
#include "image/image_error.h"
#include "image/voi_transform.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace dpflow {
namespace {

std::string newUid() {
    char uid[100];
    return dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT);
}

void put(DcmItem& dataset, const DcmTagKey& tag, const std::string& value, const std::filesystem::path& path) {
    const OFCondition status = dataset.putAndInsertString(tag, value.c_str());
    if (status.bad()) {
        throw ImageError(path, "cannot set " + std::string(DcmTag(tag).getTagName()) + ": " + status.text());
    }
}

// Attributes every written image needs: new UIDs (unless present), Secondary Capture SOP class,
// and the Type 2 patient/study/series attributes, empty where the caller gave none.
void putBaseHeader(DcmItem& dataset, const std::filesystem::path& path) {
    put(dataset, DCM_SOPClassUID, UID_SecondaryCaptureImageStorage, path);
    for (const DcmTagKey& tag : {DCM_SOPInstanceUID, DCM_StudyInstanceUID, DCM_SeriesInstanceUID}) {
        if (!dataset.tagExistsWithValue(tag)) {
            put(dataset, tag, newUid(), path);
        }
    }
    const std::pair<DcmTagKey, const char*> defaults[] = {
        {DCM_SpecificCharacterSet, "ISO_IR 192"}, {DCM_Modality, "OT"}, {DCM_ConversionType, "WSD"},
        {DCM_SeriesNumber, "1"}, {DCM_InstanceNumber, "1"}, {DCM_PatientName, ""}, {DCM_PatientID, ""},
        {DCM_PatientBirthDate, ""}, {DCM_PatientSex, ""}, {DCM_StudyDate, ""}, {DCM_StudyTime, ""},
        {DCM_ReferringPhysicianName, ""}, {DCM_StudyID, ""}, {DCM_AccessionNumber, ""},
        {DCM_PatientOrientation, ""},
    };
    for (const auto& [tag, value] : defaults) {
        if (!dataset.tagExists(tag)) {
            put(dataset, tag, value, path);
        }
    }
}

// The Image Pixel module and the pixel data, shared by both writers: stored values
// round(v * (2^stored_bits - 1)), MONOCHROME2, unsigned, with the full-range window.
void putPixels(DcmItem& dataset, const Image& image, int stored_bits, const std::filesystem::path& path) {
    if (stored_bits < 8 || stored_bits > 16) {
        throw ImageError(path, "stored bits must be 8..16, not " + std::to_string(stored_bits));
    }
    if (image.width <= 0 || image.height <= 0 || image.width > kMaxImageDimension ||
        image.height > kMaxImageDimension || image.pixels.size() != static_cast<size_t>(image.width) * image.height) {
        throw ImageError(path, "cannot write an empty or inconsistent image (" + std::to_string(image.width) + "x" +
                                   std::to_string(image.height) + ", " + std::to_string(image.pixels.size()) +
                                   " values)");
    }
    const int bits_allocated = stored_bits <= 8 ? 8 : 16;
    const double max_value = std::ldexp(1.0, stored_bits) - 1.0;
    const DisplayWindow window = fullRangeWindow(stored_bits);
    dataset.putAndInsertUint16(DCM_Rows, static_cast<Uint16>(image.height));
    dataset.putAndInsertUint16(DCM_Columns, static_cast<Uint16>(image.width));
    dataset.putAndInsertUint16(DCM_SamplesPerPixel, 1);
    put(dataset, DCM_PhotometricInterpretation, "MONOCHROME2", path);
    dataset.putAndInsertUint16(DCM_BitsAllocated, static_cast<Uint16>(bits_allocated));
    dataset.putAndInsertUint16(DCM_BitsStored, static_cast<Uint16>(stored_bits));
    dataset.putAndInsertUint16(DCM_HighBit, static_cast<Uint16>(stored_bits - 1));
    dataset.putAndInsertUint16(DCM_PixelRepresentation, 0);
    put(dataset, DCM_WindowCenter, std::to_string(static_cast<long>(window.center)), path);
    put(dataset, DCM_WindowWidth, std::to_string(static_cast<long>(window.width)), path);
    if (image.pixel_spacing_mm) {
        char spacing[64];
        std::snprintf(spacing, sizeof(spacing), "%.6g\\%.6g", (*image.pixel_spacing_mm)[0],
                      (*image.pixel_spacing_mm)[1]);
        put(dataset, DCM_PixelSpacing, spacing, path);
    }
    std::vector<Uint16> stored(image.pixels.size());
    std::transform(image.pixels.begin(), image.pixels.end(), stored.begin(), [&](float v) {
        const double clamped = std::isnan(v) ? 0.0 : std::clamp(static_cast<double>(v), 0.0, 1.0);
        return static_cast<Uint16>(std::lround(clamped * max_value));
    });
    OFCondition status;
    if (bits_allocated == 8) {
        const std::vector<Uint8> bytes(stored.begin(), stored.end());
        status = dataset.putAndInsertUint8Array(DCM_PixelData, bytes.data(), bytes.size());
    } else {
        status = dataset.putAndInsertUint16Array(DCM_PixelData, stored.data(), stored.size());
    }
    if (status.bad()) {
        throw ImageError(path, std::string("cannot store pixel data: ") + status.text());
    }
}

void save(DcmFileFormat& file, const std::filesystem::path& path) {
    const OFCondition status = file.saveFile(path.c_str(), EXS_LittleEndianExplicit, EET_ExplicitLength,
                                             EGL_recalcGL, EPD_noChange, 0, 0, EWM_createNewMeta);
    if (status.bad()) {
        throw ImageError(path, std::string("cannot write DICOM file: ") + status.text());
    }
}

}  // namespace

void writeDicom(const Image& image, const std::filesystem::path& path, int stored_bits,
                const DicomAttributes& attributes) {
    prepareDcmtk();
    DcmFileFormat file;
    DcmDataset& dataset = *file.getDataset();
    put(dataset, DCM_ImageType, "ORIGINAL\\PRIMARY", path);
    for (const auto& [keyword, value] : attributes) {
        DcmTag tag;
        if (DcmTag::findTagFromName(keyword.c_str(), tag).bad()) {
            throw ImageError(path, "unknown DICOM attribute keyword \"" + keyword + "\"");
        }
        put(dataset, tag, value, path);
    }
    putBaseHeader(dataset, path);
    putPixels(dataset, image, stored_bits, path);
    save(file, path);
}

void writeDerivedDicom(const Image& image, const std::filesystem::path& path,
                       const DerivedImageDescription& description) {
    prepareDcmtk();
    DcmFileFormat file;
    DcmDataset& dataset = *file.getDataset();
    for (const auto& [keyword, value] : description.header) {
        DcmTag tag;
        if (DcmTag::findTagFromName(keyword.c_str(), tag).bad()) {
            throw ImageError(path, "unknown DICOM attribute keyword \"" + keyword + "\"");
        }
        if (const DeidentificationRule* rule = basicProfileRule(tag); rule && rule->action != DeidentificationAction::Keep) {
            const bool retained = description.retain_patient_characteristics && isPatientCharacteristic(tag);
            if (!retained) {
                throw ImageError(path, "refusing to write " + keyword +
                                           " into a released image: the PS3.15 Basic Profile removes or empties it");
            }
        }
        put(dataset, tag, value, path);
    }
    put(dataset, DCM_ImageType, "DERIVED\\SECONDARY", path);
    put(dataset, DCM_DerivationDescription, description.derivation_description, path);
    put(dataset, DCM_BurnedInAnnotation, description.burned_in_annotation ? "YES" : "NO", path);
    put(dataset, DCM_PatientIdentityRemoved, "YES", path);
    std::string method = "DICOM PS3.15 Annex E Basic Application Level Confidentiality Profile (dpflow)";
    if (description.retain_patient_characteristics) method += "; Retain Patient Characteristics Option";
    put(dataset, DCM_DeidentificationMethod, method, path);
    std::vector<std::pair<const char*, const char*>> codes = {{"113100", "Basic Application Confidentiality Profile"}};
    if (description.retain_patient_characteristics) codes.push_back({"113108", "Retain Patient Characteristics Option"});
    for (std::size_t i = 0; i < codes.size(); ++i) {
        DcmItem* code = nullptr;
        if (dataset.findOrCreateSequenceItem(DCM_DeidentificationMethodCodeSequence, code, static_cast<long>(i)).bad() ||
            code == nullptr) {
            throw ImageError(path, "cannot create the De-identification Method Code Sequence");
        }
        put(*code, DCM_CodeValue, codes[i].first, path);
        put(*code, DCM_CodingSchemeDesignator, "DCM", path);
        put(*code, DCM_CodeMeaning, codes[i].second, path);
    }
    putBaseHeader(dataset, path);
    putPixels(dataset, image, description.stored_bits, path);
    save(file, path);
}

}  // namespace dpflow
