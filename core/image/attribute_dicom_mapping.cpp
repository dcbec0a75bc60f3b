#include "image/attribute_dicom_mapping.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace dpflow {
namespace {

std::string upper(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return text;
}

std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(' ');
    if (first == std::string::npos) return {};
    return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

std::optional<int> wholeYears(const std::string& text) {
    if (text.empty() || text.size() > 3 || !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }))
        return std::nullopt;
    return std::stoi(text);
}

std::invalid_argument noDicomForm(const std::string& attribute, const std::string& value, const char* expected) {
    return std::invalid_argument("the value '" + value + "' of attribute '" + attribute +
                                 "' has no DICOM form (expected " + expected + ")");
}

}  // namespace

const std::vector<AttributeDicomElement>& attributeDicomElements() {
    static const std::vector<AttributeDicomElement> elements = {
        {"sex", "PatientSex", true},
        {"view", "ViewPosition", false},
        {"age", "PatientAge", true},
    };
    return elements;
}

std::optional<AttributeDicomElement> dicomElementForAttribute(const std::string& attribute) {
    for (const auto& element : attributeDicomElements())
        if (element.attribute == attribute) return element;
    return std::nullopt;
}

std::vector<std::string> elementsDisclosingAttribute(const std::string& attribute) {
    if (attribute == "view") return {"ViewCodeSequence", "PatientOrientation"};
    if (attribute == "age") return {"PatientBirthDate"};
    return {};
}

std::string dicomValueForAttribute(const std::string& attribute, const std::string& model_value) {
    const std::string value = upper(trimmed(model_value));
    if (attribute == "sex") {
        if (value == "M" || value == "MALE") return "M";
        if (value == "F" || value == "FEMALE") return "F";
        if (value == "O" || value == "OTHER") return "O";
        throw noDicomForm(attribute, model_value, "M, F or O");
    }
    if (attribute == "view") {
        for (const char* view : {"AP", "PA", "LL", "RL"})
            if (value == view) return value;
        throw noDicomForm(attribute, model_value, "AP, PA, LL or RL");
    }
    if (attribute == "age") {
        const auto years = wholeYears(value);
        if (!years) throw noDicomForm(attribute, model_value, "whole years 0 to 999");
        std::string text = std::to_string(*years);
        return std::string(3 - text.size(), '0') + text + "Y";
    }
    throw std::invalid_argument("attribute '" + attribute + "' has no DICOM element");
}

std::optional<std::string> attributeValueFromDicom(const std::string& attribute, const std::string& dicom_value,
                                                   const std::vector<std::string>& model_values) {
    const std::string value = upper(trimmed(dicom_value));
    if (value.empty()) return std::nullopt;
    if (attribute == "age") {
        // Only a header age in years ("045Y") is a number of years; months, weeks and days are not.
        if (value.size() != 4 || value.back() != 'Y') return std::nullopt;
        const auto years = wholeYears(value.substr(0, 3));
        if (!years) return std::nullopt;
        for (const auto& model_value : model_values)
            if (wholeYears(trimmed(model_value)) == years) return model_value;
        return std::nullopt;
    }
    for (const auto& model_value : model_values) {
        try {
            if (dicomValueForAttribute(attribute, model_value) == value) return model_value;
        } catch (const std::invalid_argument&) {
            // A model value without a DICOM form matches no header value.
        }
    }
    return std::nullopt;
}

}  // namespace dpflow
