#include "image/dicom_header_values.h"

#include "image/dicom_codecs.h"
#include "image/image_reader.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

namespace dpflow {

std::map<std::string, std::string> readDicomHeaderValues(const std::filesystem::path& path,
                                                         const std::vector<std::string>& keywords) {
    std::map<std::string, std::string> values;
    if (detectImageFormat(path) != ImageFileFormat::Dicom) return values;
    prepareDcmtk();
    DcmFileFormat file;
    if (file.loadFileUntilTag(path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect, DCM_PixelData).bad())
        return values;
    for (const auto& keyword : keywords) {
        DcmTag tag;
        OFString value;
        if (DcmTag::findTagFromName(keyword.c_str(), tag).good() &&
            file.getDataset()->findAndGetOFStringArray(tag, value).good() && !value.empty())
            values[keyword] = value.c_str();
    }
    return values;
}

}  // namespace dpflow
