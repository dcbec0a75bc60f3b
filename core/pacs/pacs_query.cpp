#include "pacs/pacs_query.h"

#include <algorithm>
#include <stdexcept>

namespace dpflow {

QueryLevel parseQueryLevel(const std::string& text) {
    if (text == "patient") return QueryLevel::patient;
    if (text == "study") return QueryLevel::study;
    if (text == "series") return QueryLevel::series;
    if (text == "image") return QueryLevel::image;
    throw std::invalid_argument("query level '" + text + "' is not patient, study, series or image");
}

const char* toString(QueryLevel level) {
    switch (level) {
        case QueryLevel::patient: return "patient";
        case QueryLevel::study: return "study";
        case QueryLevel::series: return "series";
        case QueryLevel::image: return "image";
    }
    return "?";
}

const std::vector<std::string>& queryableKeywords() {
    static const std::vector<std::string> keywords = {
        "PatientID", "PatientName", "PatientSex", "StudyDate", "StudyInstanceUID", "AccessionNumber",
        "Modality", "SeriesInstanceUID", "SOPInstanceUID", "StudyDescription"};
    return keywords;
}

QueryKey parseQueryKey(const std::string& text) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0) throw std::invalid_argument("query key '" + text + "' is not KEYWORD=VALUE");
    QueryKey key{text.substr(0, eq), text.substr(eq + 1)};
    const auto& known = queryableKeywords();
    if (std::find(known.begin(), known.end(), key.keyword) == known.end()) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        throw std::invalid_argument("query key '" + key.keyword + "' is not one of " + list);
    }
    return key;
}

const std::vector<std::string>& returnedKeywords(QueryLevel level) {
    static const std::vector<std::string> patient = {"PatientID", "PatientName", "PatientBirthDate", "PatientSex"};
    static const std::vector<std::string> study = {"PatientID", "PatientName", "StudyDate", "AccessionNumber",
                                                   "ModalitiesInStudy", "StudyDescription", "StudyInstanceUID",
                                                   "NumberOfStudyRelatedInstances"};
    static const std::vector<std::string> series = {"PatientID", "StudyInstanceUID", "SeriesInstanceUID", "Modality",
                                                    "SeriesNumber", "NumberOfSeriesRelatedInstances"};
    static const std::vector<std::string> image = {"PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID",
                                                   "SOPClassUID", "InstanceNumber"};
    switch (level) {
        case QueryLevel::patient: return patient;
        case QueryLevel::study: return study;
        case QueryLevel::series: return series;
        case QueryLevel::image: return image;
    }
    return study;
}

std::vector<std::string> keywordNames(const std::vector<QueryKey>& keys) {
    std::vector<std::string> names;
    for (const auto& key : keys) names.push_back(key.keyword);
    return names;
}

}  // namespace dpflow
