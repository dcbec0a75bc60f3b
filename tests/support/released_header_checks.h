#pragma once

// What every path that releases a DICOM (`dpflow privatize`, `dpflow release`, the studio's
// export) must give: a header with nothing of the source but the allowlist, and an attribute's
// element only when the attribute is kept, holding its released value.

#include "image/dicom_writer.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace dpflow::test {

/// The identifying and attribute-stating elements the test sources carry, with their values.
inline DicomAttributes identifyingSourceHeader(const std::string& sex, const std::string& view) {
    return {{"PatientName", "Doe^Jane"},         {"PatientID", "H-0012345"},       {"PatientBirthDate", "19610203"},
            {"PatientSex", sex},                 {"PatientAge", "063Y"},           {"ViewPosition", view},
            {"PatientOrientation", view == "PA" ? "L\\F" : "R\\F"},                {"SeriesDescription", "CHEST " + view},
            {"ProtocolName", "THORAX " + view},  {"InstitutionName", "General Hospital"},
            {"AccessionNumber", "ACC-998877"},   {"StudyDescription", "CHEST " + view + " PORTABLE"},
            {"BodyPartExamined", "CHEST"},       {"Modality", "CR"}};
}

inline std::string headerValue(DcmItem& dataset, const DcmTagKey& tag) {
    OFString value;
    dataset.findAndGetOFStringArray(tag, value);
    return value.c_str();
}

/// Checks the released DICOM at `path`: no identifying value of identifyingSourceHeader, the
/// allowlisted BodyPartExamined and Modality kept, `kept` elements (keyword -> released value)
/// present with those values, `protected_elements` absent or empty, and the Retain Patient
/// Characteristics code listed exactly when `retains_patient_characteristics`.
inline void expectReleasedHeader(const std::filesystem::path& path, const std::map<std::string, std::string>& kept,
                                 const std::vector<std::string>& protected_elements,
                                 bool retains_patient_characteristics) {
    DcmFileFormat file;
    ASSERT_TRUE(file.loadFile(path.c_str()).good()) << path;
    DcmDataset& ds = *file.getDataset();
    for (const DcmTagKey& tag : {DCM_PatientName, DCM_PatientID, DCM_PatientBirthDate, DCM_AccessionNumber, DCM_PatientOrientation})
        EXPECT_EQ(headerValue(ds, tag), "") << DcmTag(tag).getTagName() << " in " << path;
    for (const DcmTagKey& tag : {DCM_InstitutionName, DCM_SeriesDescription, DCM_StudyDescription, DCM_ProtocolName,
                                 DCM_ViewCodeSequence})
        EXPECT_FALSE(ds.tagExists(tag)) << DcmTag(tag).getTagName() << " in " << path;
    EXPECT_EQ(headerValue(ds, DCM_BodyPartExamined), "CHEST");
    EXPECT_EQ(headerValue(ds, DCM_Modality), "CR");
    for (const auto& [keyword, value] : kept) {
        DcmTag tag;
        ASSERT_TRUE(DcmTag::findTagFromName(keyword.c_str(), tag).good()) << keyword;
        EXPECT_EQ(headerValue(ds, tag), value) << keyword << " in " << path;
    }
    for (const auto& keyword : protected_elements) {
        DcmTag tag;
        ASSERT_TRUE(DcmTag::findTagFromName(keyword.c_str(), tag).good()) << keyword;
        EXPECT_EQ(headerValue(ds, tag), "") << keyword << " of a protected attribute in " << path;
    }
    DcmItem* code = nullptr;
    EXPECT_EQ(ds.findAndGetSequenceItem(DCM_DeidentificationMethodCodeSequence, code, 1).good() &&
                  headerValue(*code, DCM_CodeValue) == "113108",
              retains_patient_characteristics)
        << path;
}

}  // namespace dpflow::test
