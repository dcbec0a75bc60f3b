#include "image/retained_source_header.h"

#include "image/dicom_header_values.h"

namespace dpflow {

const std::vector<std::string>& retainedSourceElements() {
    static const std::vector<std::string> keywords = {"Modality", "BodyPartExamined"};
    return keywords;
}

DicomAttributes retainedSourceHeader(DcmItem& dataset) { return dicomValuesOf(dataset, retainedSourceElements()); }

}  // namespace dpflow
