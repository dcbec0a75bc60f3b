#include "release/source_identity.h"

#include "image/dicom_writer.h"
#include "image/image_reader.h"
#include "image/png_io.h"
#include "image/sha256.h"
#include "release/release_publisher.h"
#include "release_test_support.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace dpflow {
namespace {

namespace fs = std::filesystem;

Image flat(int side, float value) {
    Image image = makeImage(side, side);
    std::fill(image.pixels.begin(), image.pixels.end(), value);
    return image;
}

fs::path freshFolder(const char* name) { return test::freshTestDir("source-identity-test", name); }

TEST(ReadSource, OneReadGivesThePixelsAndTheHashOfExactlyThoseBytes) {
    const fs::path png = freshFolder("png") / "film.png";
    writePng(flat(8, 0.25f), png, 8);
    const SourceFile source = readSource(png);
    EXPECT_EQ(source.identity.sha256, sha256OfFile(png));
    EXPECT_EQ(source.identity.ledgerKey(), "sha256:" + source.identity.sha256);
    EXPECT_EQ(source.image.pixels, readImage(png).pixels);
    EXPECT_TRUE(source.identity.retained_header.empty());
}

TEST(ReadSource, ADicomGivesItsUidAndOnlyTheAllowlistedElementsOfTheSameBytes) {
    const fs::path dcm = freshFolder("dcm") / "film.dcm";
    writeDicom(flat(8, 0.5f), dcm, 12,
               {{"SOPInstanceUID", "1.2.826.0.1.3680043.2.99.1"}, {"PatientName", "Doe^Jane"}, {"ViewPosition", "PA"},
                {"PatientSex", "F"}, {"BodyPartExamined", "CHEST"}, {"Modality", "CR"}});
    const SourceFile source = readSource(dcm);
    EXPECT_EQ(source.identity.sop_instance_uid, "1.2.826.0.1.3680043.2.99.1");
    EXPECT_EQ(source.identity.ledgerKey(), "sop:1.2.826.0.1.3680043.2.99.1");
    EXPECT_EQ(source.identity.retained_header, (DicomAttributes{{"Modality", "CR"}, {"BodyPartExamined", "CHEST"}}));
    EXPECT_EQ(source.identity.sha256, identifySource(dcm).sha256);
    EXPECT_EQ(source.identity.retained_header, identifySource(dcm).retained_header);
}

TEST(ReadSource, AFileChangedAfterItWasListedIsRefused) {
    const fs::path png = freshFolder("changed") / "film.png";
    writePng(flat(8, 0.25f), png, 8);
    const SourceIdentity listed = identifySource(png);
    EXPECT_NO_THROW(requireUnchangedSource(listed, readSource(png).identity));
    writePng(flat(8, 0.75f), png, 8);
    EXPECT_THROW(requireUnchangedSource(listed, readSource(png).identity), std::runtime_error);
}

TEST(ReleasePublisher, AKeptValueWithoutADicomFormIsRefusedBeforeAnyImageIsPrivatized) {
    const std::vector<FlowAttribute> attributes = {{"label", {"0", "1"}}, {"view", {"frontal", "lateral"}}};
    EXPECT_THROW(requireDicomFormsOfKeptValues(attributes, makeAttributePolicy({"label", "view"}, {})), std::invalid_argument);
    EXPECT_NO_THROW(requireDicomFormsOfKeptValues(attributes, makeAttributePolicy({"label"}, {"view:1"})));  // protected: never written
    EXPECT_NO_THROW(requireDicomFormsOfKeptValues({{"view", {"AP", "PA"}}}, makeAttributePolicy({"view"}, {})));
}

}  // namespace
}  // namespace dpflow
