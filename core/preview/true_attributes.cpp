#include "preview/true_attributes.h"

#include "image/attribute_dicom_mapping.h"
#include "image/dicom_header_values.h"

#include <algorithm>

namespace dpflow {

std::vector<TrueAttribute> resolveTrueAttributes(const ModelCard& card, const std::map<std::string, std::string>& manifest_row,
                                                 const std::filesystem::path& file) {
    std::vector<std::string> keywords;
    for (const auto& attribute : card.config.attributes)
        if (const auto element = dicomElementForAttribute(attribute.name)) keywords.push_back(element->keyword);
    const auto header = keywords.empty() ? std::map<std::string, std::string>{} : readDicomHeaderValues(file, keywords);

    std::vector<TrueAttribute> resolved;
    for (const auto& attribute : card.config.attributes) {
        TrueAttribute truth{attribute.name, std::nullopt, ""};
        const auto row = manifest_row.find(attribute.name);
        const auto& values = attribute.values;
        if (row != manifest_row.end() && std::find(values.begin(), values.end(), row->second) != values.end()) {
            truth.value = row->second;
            truth.source = "manifest";
        } else if (const auto element = dicomElementForAttribute(attribute.name)) {
            const auto stated = header.find(element->keyword);
            if (stated != header.end()) {
                truth.value = attributeValueFromDicom(attribute.name, stated->second, values);
                if (truth.value) truth.source = "DICOM header " + element->keyword;
            }
        }
        resolved.push_back(std::move(truth));
    }
    return resolved;
}

AttributeValues encodingValues(const std::vector<TrueAttribute>& attributes, const ModelCard& card) {
    AttributeValues values;
    for (const auto& attribute : attributes)
        values[attribute.name] = attribute.value ? *attribute.value : card.mostFrequentValue(attribute.name);
    return values;
}

std::vector<std::string> unknownAttributes(const std::vector<TrueAttribute>& attributes) {
    std::vector<std::string> names;
    for (const auto& attribute : attributes)
        if (!attribute.value) names.push_back(attribute.name);
    return names;
}

}  // namespace dpflow
