#include "image/attribute_dicom_mapping.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

namespace dpflow {
namespace {

TEST(AttributeDicomMapping, SexViewAndAgeHaveTheirStandardElements) {
    EXPECT_EQ(dicomElementForAttribute("sex")->keyword, "PatientSex");
    EXPECT_TRUE(dicomElementForAttribute("sex")->patient_characteristic);
    EXPECT_EQ(dicomElementForAttribute("view")->keyword, "ViewPosition");
    EXPECT_FALSE(dicomElementForAttribute("view")->patient_characteristic);
    EXPECT_EQ(dicomElementForAttribute("age")->keyword, "PatientAge");
}

TEST(AttributeDicomMapping, LabelsAndFindingsHaveNoElement) {
    EXPECT_FALSE(dicomElementForAttribute("label").has_value());
    EXPECT_FALSE(dicomElementForAttribute("pathology").has_value());
    EXPECT_THROW(dicomValueForAttribute("label", "pneumonia"), std::invalid_argument);
}

TEST(AttributeDicomMapping, ModelValuesAreWrittenInTheirDicomSpelling) {
    EXPECT_EQ(dicomValueForAttribute("sex", "M"), "M");
    EXPECT_EQ(dicomValueForAttribute("sex", "female"), "F");
    EXPECT_EQ(dicomValueForAttribute("view", "pa"), "PA");
    EXPECT_EQ(dicomValueForAttribute("view", "AP"), "AP");
    EXPECT_EQ(dicomValueForAttribute("age", "45"), "045Y");
    EXPECT_EQ(dicomValueForAttribute("age", "7"), "007Y");
}

TEST(AttributeDicomMapping, AValueWithoutADicomFormIsRefused) {
    EXPECT_THROW(dicomValueForAttribute("sex", "1"), std::invalid_argument);
    EXPECT_THROW(dicomValueForAttribute("view", "frontal"), std::invalid_argument);
    EXPECT_THROW(dicomValueForAttribute("age", "40-59"), std::invalid_argument);
}

TEST(AttributeDicomMapping, HeaderValuesMapBackToTheModelsOwnValues) {
    const std::vector<std::string> sexes = {"F", "M"};
    EXPECT_EQ(attributeValueFromDicom("sex", "M", sexes), "M");
    EXPECT_EQ(attributeValueFromDicom("sex", " f ", sexes), "F");
    const std::vector<std::string> views = {"AP", "PA"};
    EXPECT_EQ(attributeValueFromDicom("view", "PA", views), "PA");
    const std::vector<std::string> spelled_out = {"female", "male"};
    EXPECT_EQ(attributeValueFromDicom("sex", "F", spelled_out), "female");
    EXPECT_EQ(attributeValueFromDicom("age", "045Y", {"30", "45"}), "45");
}

TEST(AttributeDicomMapping, UnknownOrEmptyHeaderValuesAreNotGuessed) {
    EXPECT_FALSE(attributeValueFromDicom("sex", "", {"F", "M"}).has_value());
    EXPECT_FALSE(attributeValueFromDicom("sex", "O", {"F", "M"}).has_value());
    EXPECT_FALSE(attributeValueFromDicom("view", "LL", {"AP", "PA"}).has_value());
    EXPECT_FALSE(attributeValueFromDicom("age", "006M", {"0", "6"}).has_value());
}

TEST(AttributeDicomMapping, TheViewIsAlsoStatedByItsCodeAndTheOrientation) {
    const auto elements = elementsDisclosingAttribute("view");
    EXPECT_NE(std::find(elements.begin(), elements.end(), "ViewCodeSequence"), elements.end());
    EXPECT_NE(std::find(elements.begin(), elements.end(), "PatientOrientation"), elements.end());
}

}  // namespace
}  // namespace dpflow
