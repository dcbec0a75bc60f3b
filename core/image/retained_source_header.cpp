#include "image/retained_source_header.h"

#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dctag.h>

namespace dpflow {

const std::vector<std::string>& retainedSourceElements() {
    static const std::vector<std::string> keywords = {"Modality", "BodyPartExamined"};
    return keywords;
}

DicomAttributes retainedSourceHeader(DcmItem& dataset) {
    DicomAttributes retained;
    for (const auto& keyword : retainedSourceElements()) {
        DcmTag tag;
        if (DcmTag::findTagFromName(keyword.c_str(), tag).bad()) continue;
        OFString value;
        if (dataset.findAndGetOFStringArray(tag, value).good() && !value.empty()) retained.emplace_back(keyword, value.c_str());
    }
    return retained;
}

}  // namespace dpflow
