#include "release/source_identity.h"

#include "image/dicom_codecs.h"
#include "image/dicom_reader.h"
#include "image/image_reader.h"
#include "image/retained_source_header.h"
#include "image/sha256.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <stdexcept>

namespace dpflow {

std::string SourceIdentity::ledgerKey() const {
    return sop_instance_uid.empty() ? "sha256:" + sha256 : "sop:" + sop_instance_uid;
}

namespace {

void readDicomIdentity(DcmItem& dataset, SourceIdentity& identity) {
    OFString uid;
    if (dataset.findAndGetOFString(DCM_SOPInstanceUID, uid).good()) identity.sop_instance_uid = uid.c_str();
    identity.retained_header = retainedSourceHeader(dataset);
}

}  // namespace

SourceFile readSource(const std::filesystem::path& path) {
    const std::vector<unsigned char> bytes = readFileBytes(path);
    SourceFile source;
    source.image = readImageBytes(bytes, path);
    source.identity.path = path;
    source.identity.sha256 = source.image.source_sha256;
    if (detectImageFormat(bytes) == ImageFileFormat::Dicom) {
        DcmFileFormat file;
        loadDicomBytes(bytes, path, file);
        readDicomIdentity(*file.getDataset(), source.identity);
    }
    return source;
}

void requireUnchangedSource(const SourceIdentity& listed, const SourceIdentity& read) {
    if (listed.sha256 != read.sha256)
        throw std::runtime_error(read.path.string() + ": the file changed after the batch was listed (SHA-256 " +
                                 listed.sha256.substr(0, 12) + "... then, " + read.sha256.substr(0, 12) +
                                 "... now); nothing was released for it");
}

SourceIdentity identifySource(const std::filesystem::path& path) {
    SourceIdentity identity;
    identity.path = path;
    identity.sha256 = sha256OfFile(path);
    if (detectImageFormat(path) == ImageFileFormat::Dicom) {
        prepareDcmtk();  // DCMTK's logger off, as for every other reader
        DcmFileFormat file;
        // Stop before the pixel data: only the header is needed.
        if (file.loadFileUntilTag(path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect, DCM_PixelData).good())
            readDicomIdentity(*file.getDataset(), identity);
    }
    return identity;
}

}  // namespace dpflow
