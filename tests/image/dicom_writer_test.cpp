#include "dicom_test_support.h"

#include "image/attribute_dicom_mapping.h"
#include "image/deidentification_profile.h"
#include "image/dicom_writer.h"
#include "image/image_error.h"
#include "image/image_reader.h"
#include "image/retained_source_header.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dcdicent.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <set>

namespace dpflow {
namespace {

Image rampImage(int width, int height) {
    Image image = makeImage(width, height);
    for (size_t i = 0; i < image.pixels.size(); ++i) {
        image.pixels[i] = static_cast<float>(i) / static_cast<float>(image.pixels.size() - 1);
    }
    return image;
}

std::string valueOf(DcmItem& item, const DcmTagKey& tag) {
    OFString value;
    item.findAndGetOFStringArray(tag, value);
    return value.c_str();
}

// An identifying value of the attribute's VR, distinct per attribute.
void putIdentifyingValue(DcmItem& item, const DcmTag& tag, int serial) {
    const std::string n = std::to_string(serial);
    switch (tag.getEVR()) {
    case EVR_SQ: {
        DcmItem* nested = nullptr;
        item.findOrCreateSequenceItem(tag, nested, 0);
        nested->putAndInsertString(DCM_CodeValue, ("IDENT" + n).c_str());
        return;
    }
    case EVR_UI: item.putAndInsertString(tag, ("1.2.826.0.1.3680043.2." + n).c_str()); return;
    case EVR_DA: item.putAndInsertString(tag, "20200101"); return;
    case EVR_TM: item.putAndInsertString(tag, "101010"); return;
    case EVR_DT: item.putAndInsertString(tag, "20200101101010"); return;
    case EVR_AS: item.putAndInsertString(tag, "045Y"); return;
    case EVR_DS:
    case EVR_IS: item.putAndInsertString(tag, n.c_str()); return;
    case EVR_US: item.putAndInsertUint16(tag, static_cast<Uint16>(serial)); return;
    case EVR_OB: {
        const Uint8 bytes[2] = {1, 2};
        item.putAndInsertUint8Array(tag, bytes, 2);
        return;
    }
    default: item.putAndInsertString(tag, ("Doe^John" + n).c_str()); return;
    }
}

std::set<DcmTagKey> topLevelTags(DcmItem& item) {
    std::set<DcmTagKey> tags;
    for (unsigned long i = 0; i < item.card(); ++i) tags.insert(item.getElement(i)->getTag());
    return tags;
}

DcmTagKey tagNamed(const std::string& keyword) {
    DcmTag tag;
    EXPECT_TRUE(DcmTag::findTagFromName(keyword.c_str(), tag).good()) << keyword;
    return tag;
}

// A released image written from a source whose header carries a value in every attribute the
// PS3.15 Basic Profile names, in every element that states a model attribute (ViewPosition,
// ViewCodeSequence, PatientOrientation, a series description naming the view), private
// elements, overlays, curves and a sequence with a nested name. Its header is what
// retainedSourceHeader allows and nothing else.
class DerivedDicom : public ::testing::Test {
protected:
    void SetUp() override {
        folder_ = test::freshTempFolder("derived");
        source_ = test::makeDicom(test::patternFrame(16, 16, 12, false));
        DcmDataset& ds = *source_->getDataset();
        int serial = 1;
        for (const DeidentificationRule& rule : basicProfileRules()) {
            putIdentifyingValue(ds, DcmTag(rule.group, rule.element), serial++);
            original_[{rule.group, rule.element}] = valueOf(ds, DcmTagKey(rule.group, rule.element));
        }
        ds.putAndInsertString(DcmTag(0x0009, 0x0010, EVR_LO), "ACME PRIVATE");
        ds.putAndInsertString(DcmTag(0x0009, 0x1001, EVR_LO), "private patient note");
        const Uint16 overlay[4] = {1, 2, 3, 4};
        ds.putAndInsertUint16Array(DcmTag(0x6000, 0x3000, EVR_OW), overlay, 4);
        ds.putAndInsertString(DcmTag(0x6000, 0x4000, EVR_LT), "overlay comment with a name");
        ds.putAndInsertUint16Array(DcmTag(0x5000, 0x3000, EVR_OW), overlay, 4);
        ds.putAndInsertString(DCM_BodyPartExamined, "CHEST");
        ds.putAndInsertString(DCM_Modality, "DX");
        ds.putAndInsertString(DCM_ViewPosition, "PA");
        ds.putAndInsertString(DCM_PatientOrientation, "L\\F");
        ds.putAndInsertString(DCM_SeriesDescription, "CHEST PA");
        DcmItem* view_code = nullptr;
        ds.findOrCreateSequenceItem(DCM_ViewCodeSequence, view_code, 0);
        view_code->putAndInsertString(DCM_CodeValue, "R-10214");
        view_code->putAndInsertString(DCM_CodeMeaning, "postero-anterior");
        DcmItem* region = nullptr;
        ds.findOrCreateSequenceItem(DCM_AnatomicRegionSequence, region, 0);
        region->putAndInsertString(DCM_CodeValue, "T-D3000");
        region->putAndInsertString(DCM_PatientName, "Nested^Name");

        DerivedImageDescription description;
        description.derivation_description = "DP-GLOW latent Laplace, eps=1e5";
        description.burned_in_annotation = false;
        description.stored_bits = 12;
        description.header = retainedSourceHeader(ds);
        derived_path_ = folder_ / "derived.dcm";
        writeDerivedDicom(rampImage(16, 16), derived_path_, description);
        ASSERT_TRUE(derived_.loadFile(derived_path_.c_str()).good());
    }

    DcmDataset& source() { return *source_->getDataset(); }
    DcmDataset& derived() { return *derived_.getDataset(); }

    std::filesystem::path folder_;
    std::unique_ptr<DcmFileFormat> source_;
    std::filesystem::path derived_path_;
    std::map<std::pair<uint16_t, uint16_t>, std::string> original_;
    DcmFileFormat derived_;
};

TEST_F(DerivedDicom, NoProfileAttributeKeepsItsSourceValue) {
    for (const DeidentificationRule& rule : basicProfileRules()) {
        const DcmTagKey tag(rule.group, rule.element);
        const std::string old_value = original_[{rule.group, rule.element}];
        if (!derived().tagExists(tag)) continue;
        EXPECT_NE(valueOf(derived(), tag), old_value) << rule.keyword << " kept its source value";
    }
}

TEST_F(DerivedDicom, HoldsOnlyTheWritersOwnElementsAndTheAllowlist) {
    const auto path = folder_ / "bare.dcm";
    writeDerivedDicom(rampImage(16, 16), path, DerivedImageDescription{"bare", false, 12, {}, false});
    DcmFileFormat bare;
    ASSERT_TRUE(bare.loadFile(path.c_str()).good());
    std::set<DcmTagKey> allowed = topLevelTags(*bare.getDataset());
    for (const auto& keyword : retainedSourceElements()) allowed.insert(tagNamed(keyword));
    for (const DcmTagKey& tag : topLevelTags(derived())) EXPECT_TRUE(allowed.count(tag)) << tag.toString() << " came from the source";
}

TEST_F(DerivedDicom, AllowlistedElementsKeepTheirSourceValues) {
    EXPECT_EQ(valueOf(derived(), DCM_BodyPartExamined), "CHEST");
    EXPECT_EQ(valueOf(derived(), DCM_Modality), "DX");
}

TEST_F(DerivedDicom, ElementsStatingTheViewAreNotCarried) {
    EXPECT_FALSE(derived().tagExists(DCM_ViewPosition));
    EXPECT_FALSE(derived().tagExists(DCM_ViewCodeSequence));
    EXPECT_FALSE(derived().tagExists(DCM_SeriesDescription));
    EXPECT_EQ(valueOf(derived(), DCM_PatientOrientation), "");  // Type 2: present, empty
}

TEST_F(DerivedDicom, HasNewStudySeriesAndInstanceUids) {
    for (const DcmTagKey& tag : {DCM_StudyInstanceUID, DCM_SeriesInstanceUID, DCM_SOPInstanceUID}) {
        const std::string uid = valueOf(derived(), tag);
        EXPECT_FALSE(uid.empty());
        EXPECT_NE(uid, valueOf(source(), tag));
    }
    EXPECT_EQ(valueOf(*derived_.getMetaInfo(), DCM_MediaStorageSOPInstanceUID), valueOf(derived(), DCM_SOPInstanceUID));
}

TEST_F(DerivedDicom, PrivateTagsOverlaysCurvesAndSequencesOfTheSourceAreAbsent) {
    for (const DcmTagKey& tag : topLevelTags(derived())) {
        EXPECT_FALSE(tag.isPrivate()) << tag.toString();
        EXPECT_FALSE(tag.getGroup() >= 0x5000 && tag.getGroup() <= 0x60FF) << tag.toString();
    }
    EXPECT_FALSE(derived().tagExists(DCM_AnatomicRegionSequence));
}

TEST_F(DerivedDicom, RecordsDerivationAndDeidentification) {
    EXPECT_EQ(valueOf(derived(), DCM_ImageType), "DERIVED\\SECONDARY");
    EXPECT_EQ(valueOf(derived(), DCM_DerivationDescription), "DP-GLOW latent Laplace, eps=1e5");
    EXPECT_EQ(valueOf(derived(), DCM_PatientIdentityRemoved), "YES");
    EXPECT_EQ(valueOf(derived(), DCM_BurnedInAnnotation), "NO");
    EXPECT_NE(valueOf(derived(), DCM_DeidentificationMethod).find("PS3.15"), std::string::npos);
    DcmItem* code = nullptr;
    ASSERT_TRUE(derived().findAndGetSequenceItem(DCM_DeidentificationMethodCodeSequence, code, 0).good());
    EXPECT_EQ(valueOf(*code, DCM_CodeValue), "113100");
    EXPECT_EQ(valueOf(*code, DCM_CodingSchemeDesignator), "DCM");
    EXPECT_FALSE(derived().findAndGetSequenceItem(DCM_DeidentificationMethodCodeSequence, code, 1).good());
}

TEST_F(DerivedDicom, PixelsReadBackWithinHalfAQuantizationStep) {
    const Image original = rampImage(16, 16);
    const Image back = readImage(derived_path_);
    ASSERT_EQ(back.pixels.size(), original.pixels.size());
    EXPECT_EQ(back.stored_bits, 12);
    for (size_t i = 0; i < original.pixels.size(); ++i) {
        ASSERT_NEAR(back.pixels[i], original.pixels[i], 0.5 / 4095.0 + 1e-6) << i;
    }
}

TEST(DeidentificationProfile, EveryRuleNamesADictionaryAttribute) {
    const DcmDataDictionary& dictionary = dcmDataDict.rdlock();
    for (const DeidentificationRule& rule : basicProfileRules()) {
        const DcmDictEntry* entry = dictionary.findEntry(DcmTagKey(rule.group, rule.element), nullptr);
        ASSERT_NE(entry, nullptr) << rule.keyword;
        const std::string name = entry->getTagName();
        EXPECT_TRUE(name == rule.keyword || name == std::string("RETIRED_") + rule.keyword) << name;
    }
    dcmDataDict.rdunlock();
}

TEST(DicomWriter, WriteDicomStoresAttributesAndPixels) {
    const auto path = test::freshTempFolder("write_original") / "original.dcm";
    Image image = rampImage(20, 10);
    image.pixel_spacing_mm = std::array<double, 2>{0.2, 0.25};
    writeDicom(image, path, 16, {{"PatientName", "Phantom^One"}, {"PatientID", "PH-001"}, {"Modality", "DX"}});
    DcmFileFormat file;
    ASSERT_TRUE(file.loadFile(path.c_str()).good());
    EXPECT_EQ(valueOf(*file.getDataset(), DCM_PatientName), "Phantom^One");
    EXPECT_EQ(valueOf(*file.getDataset(), DCM_Modality), "DX");
    EXPECT_EQ(valueOf(*file.getDataset(), DCM_ImageType), "ORIGINAL\\PRIMARY");
    const Image back = readImage(path);
    EXPECT_EQ(back.stored_bits, 16);
    ASSERT_TRUE(back.pixel_spacing_mm.has_value());
    EXPECT_DOUBLE_EQ((*back.pixel_spacing_mm)[1], 0.25);
    for (size_t i = 0; i < image.pixels.size(); ++i) {
        ASSERT_EQ(std::lround(back.pixels[i] * 65535.0), std::lround(image.pixels[i] * 65535.0)) << i;
    }
}

TEST(DicomWriter, UnknownAttributeKeywordIsAnError) {
    const auto path = test::freshTempFolder("write_bad_keyword") / "x.dcm";
    EXPECT_THROW(writeDicom(rampImage(4, 4), path, 8, {{"PatientNmae", "x"}}), ImageError);
}

TEST(RetainedSourceHeader, AllowlistNamesNoProfileAttributeAndNoModelAttributeElement) {
    for (const auto& keyword : retainedSourceElements()) {
        const DcmTagKey tag = tagNamed(keyword);
        EXPECT_EQ(basicProfileRule(tag), nullptr) << keyword << " is named by the Basic Profile";
        for (const auto& element : attributeDicomElements()) {
            EXPECT_NE(keyword, element.keyword);
            for (const auto& other : elementsDisclosingAttribute(element.attribute)) EXPECT_NE(keyword, other);
        }
    }
}

TEST(DicomWriter, RefusesAHeaderElementTheProfileRemovesOrEmpties) {
    const auto path = test::freshTempFolder("derived_refuses") / "d.dcm";
    DerivedImageDescription description{"test", true, 8, {}, false};
    description.header = {{"PatientName", "Doe^John"}};
    EXPECT_THROW(writeDerivedDicom(rampImage(4, 4), path, description), ImageError);
    description.header = {{"InstitutionName", "General Hospital"}};
    EXPECT_THROW(writeDerivedDicom(rampImage(4, 4), path, description), ImageError);
}

TEST(DicomWriter, PatientSexNeedsTheRetainPatientCharacteristicsOption) {
    const auto path = test::freshTempFolder("derived_retain") / "d.dcm";
    DerivedImageDescription description{"test", true, 8, {}, false};
    description.header = {{"PatientSex", "F"}, {"ViewPosition", "AP"}};
    EXPECT_THROW(writeDerivedDicom(rampImage(4, 4), path, description), ImageError);

    description.retain_patient_characteristics = true;
    writeDerivedDicom(rampImage(4, 4), path, description);
    DcmFileFormat file;
    ASSERT_TRUE(file.loadFile(path.c_str()).good());
    DcmDataset& ds = *file.getDataset();
    EXPECT_EQ(valueOf(ds, DCM_PatientSex), "F");
    EXPECT_EQ(valueOf(ds, DCM_ViewPosition), "AP");
    DcmItem* code = nullptr;
    ASSERT_TRUE(ds.findAndGetSequenceItem(DCM_DeidentificationMethodCodeSequence, code, 1).good());
    EXPECT_EQ(valueOf(*code, DCM_CodeValue), "113108");
    EXPECT_NE(valueOf(ds, DCM_DeidentificationMethod).find("Retain Patient Characteristics"), std::string::npos);
}

TEST(DicomWriter, DerivedImageWithoutSourceStillCarriesAnEmptyPatientModule) {
    const auto path = test::freshTempFolder("derived_no_source") / "d.dcm";
    writeDerivedDicom(rampImage(4, 4), path, DerivedImageDescription{"test", true, 8, {}, false});
    DcmFileFormat file;
    ASSERT_TRUE(file.loadFile(path.c_str()).good());
    EXPECT_TRUE(file.getDataset()->tagExists(DCM_PatientName));
    EXPECT_EQ(valueOf(*file.getDataset(), DCM_PatientName), "");
    EXPECT_EQ(valueOf(*file.getDataset(), DCM_BurnedInAnnotation), "YES");
}

}  // namespace
}  // namespace dpflow
