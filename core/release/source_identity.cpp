#include "release/source_identity.h"

#include "image/image_reader.h"
#include "image/retained_source_header.h"
#include "image/sha256.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

namespace dpflow {

std::string SourceIdentity::ledgerKey() const {
    return sop_instance_uid.empty() ? "sha256:" + sha256 : "sop:" + sop_instance_uid;
}

SourceIdentity identifySource(const std::filesystem::path& path) {
    SourceIdentity identity;
    identity.path = path;
    identity.sha256 = sha256OfFile(path);
    if (detectImageFormat(path) == ImageFileFormat::Dicom) {
        DcmFileFormat file;
        // Stop before the pixel data: only the header is needed.
        if (file.loadFileUntilTag(path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect, DCM_PixelData).good()) {
            DcmDataset& dataset = *file.getDataset();
            OFString uid;
            if (dataset.findAndGetOFString(DCM_SOPInstanceUID, uid).good()) identity.sop_instance_uid = uid.c_str();
            identity.retained_header = retainedSourceHeader(dataset);
        }
    }
    return identity;
}

}  // namespace dpflow
