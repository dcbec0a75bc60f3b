#include "image/dicom_header_values.h"

#include "image/dicom_codecs.h"
#include "image/image_reader.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

namespace dpflow {

DicomAttributes dicomValuesOf(DcmItem& dataset, const std::vector<std::string>& keywords) {
    DicomAttributes values;
    for (const auto& keyword : keywords) {
        DcmTag tag;
        OFString value;
        if (DcmTag::findTagFromName(keyword.c_str(), tag).good() && dataset.findAndGetOFStringArray(tag, value).good() &&
            !value.empty())
            values.emplace_back(keyword, value.c_str());
    }
    return values;
}

std::map<std::string, std::string> readDicomHeaderValues(const std::filesystem::path& path,
                                                         const std::vector<std::string>& keywords) {
    std::map<std::string, std::string> values;
    if (detectImageFormat(path) != ImageFileFormat::Dicom) return values;
    prepareDcmtk();
    DcmFileFormat file;
    if (file.loadFileUntilTag(path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect, DCM_PixelData).bad())
        return values;
    for (auto& [keyword, value] : dicomValuesOf(*file.getDataset(), keywords)) values[keyword] = std::move(value);
    return values;
}

}  // namespace dpflow
