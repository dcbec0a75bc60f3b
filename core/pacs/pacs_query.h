#pragma once

#include <map>
#include <string>
#include <vector>

namespace dpflow {

/// The Query/Retrieve level of a C-FIND: "patient" in the Patient Root information model, the
/// others in the Study Root model.
enum class QueryLevel { patient, study, series, image };

/// "patient", "study", "series", "image". Throws std::invalid_argument for anything else.
QueryLevel parseQueryLevel(const std::string& text);
const char* toString(QueryLevel level);

/// One matching key of a query, by DICOM keyword: "PatientID=PX1", "StudyDate=20240101-20241231"
/// (a range), "Modality=CR", "AccessionNumber=ACC1*" (wildcards as DICOM matches them).
struct QueryKey {
    std::string keyword;
    std::string value;
};

/// Parses KEYWORD=VALUE. The keyword must be one of queryableKeywords(). Throws
/// std::invalid_argument naming the text.
QueryKey parseQueryKey(const std::string& text);

/// The keywords a query may match on: PatientID, PatientName, PatientSex, StudyDate,
/// StudyInstanceUID, AccessionNumber, Modality (ModalitiesInStudy at study level), SeriesInstanceUID,
/// SOPInstanceUID, StudyDescription.
const std::vector<std::string>& queryableKeywords();

/// What a C-FIND match returns, by keyword (empty values left out).
using QueryMatch = std::map<std::string, std::string>;

/// The keywords returned for each match at `level`, in the order they are printed.
const std::vector<std::string>& returnedKeywords(QueryLevel level);

/// The keyword names of `keys`, for an audit trail that must not hold their values.
std::vector<std::string> keywordNames(const std::vector<QueryKey>& keys);

}  // namespace dpflow
