#include "dicom_test_support.h"

#include "image/dicom_reader.h"
#include "image/image_reader.h"
#include "image/voi_transform.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmjpeg/djrplol.h>
#include <dcmtk/dcmjpeg/djrploss.h>
#include <dcmtk/dcmjpls/djrparam.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

namespace dpflow {
namespace {

using test::makeDicom;
using test::patternFrame;

// The window that maps the frame's stored range linearly and injectively onto [0,1], so equal
// display images mean equal stored values.
DisplayWindow injectiveWindow(const StoredFrame& frame) {
    const auto [low, high] = std::minmax_element(frame.values.begin(), frame.values.end());
    return minMaxWindow(*low, *high);
}

std::vector<float> expectedDisplay(const StoredFrame& frame, const DisplayWindow& window) {
    DisplayTransform transform;
    transform.window = window;
    return renderDisplay(frame, transform);
}

struct CodecCase {
    const char* name;
    int bits_stored;
    bool is_signed;
    std::function<void(DcmFileFormat&, const StoredFrame&, const std::filesystem::path&)> save;
    double max_error;  // in stored-value units; 0 for lossless
};

void PrintTo(const CodecCase& c, std::ostream* os) { *os << c.name; }

std::function<void(DcmFileFormat&, const StoredFrame&, const std::filesystem::path&)> dcmtk(
    E_TransferSyntax xfer, std::shared_ptr<DcmRepresentationParameter> parameter = nullptr) {
    return [xfer, parameter](DcmFileFormat& file, const StoredFrame&, const std::filesystem::path& path) {
        test::saveWithDcmtk(file, path, xfer, parameter.get());
    };
}

std::function<void(DcmFileFormat&, const StoredFrame&, const std::filesystem::path&)> openJpeg(bool lossless) {
    return [lossless](DcmFileFormat& file, const StoredFrame& frame, const std::filesystem::path& path) {
        test::saveAsJpeg2000(file, frame, path, lossless, 8.0f);
    };
}

class TransferSyntaxDecoding : public ::testing::TestWithParam<CodecCase> {};

TEST_P(TransferSyntaxDecoding, DecodesToTheEncodedStoredValues) {
    const CodecCase& c = GetParam();
    const StoredFrame frame = patternFrame(64, 48, c.bits_stored, c.is_signed);
    auto file = makeDicom(frame);
    const auto path = test::freshTempFolder(std::string("codec_") + c.name) / "image.dcm";
    c.save(*file, frame, path);

    ImageReadOptions options;
    options.window = injectiveWindow(frame);
    const Image image = readImage(path, options);
    ASSERT_EQ(image.width, 64);
    ASSERT_EQ(image.height, 48);
    EXPECT_EQ(image.stored_bits, c.bits_stored);
    const std::vector<float> expected = expectedDisplay(frame, *options.window);
    if (c.max_error == 0.0) {
        EXPECT_EQ(image.pixels, expected) << c.name << " must be lossless";
        return;
    }
    const double tolerance = c.max_error / (options.window->width - 1.0);
    double worst = 0.0;
    for (size_t i = 0; i < expected.size(); ++i) {
        worst = std::max(worst, std::abs(static_cast<double>(image.pixels[i]) - expected[i]));
    }
    EXPECT_LE(worst, tolerance + 1e-6) << c.name << ": worst display error " << worst;
    EXPECT_GT(worst, 0.0) << c.name << " is lossy; identical pixels suggest the codec was not used";
}

INSTANTIATE_TEST_SUITE_P(
    AllSupported, TransferSyntaxDecoding,
    ::testing::Values(
        CodecCase{"ImplicitLittleEndian12", 12, false, dcmtk(EXS_LittleEndianImplicit), 0},
        CodecCase{"ExplicitLittleEndian16Signed", 16, true, dcmtk(EXS_LittleEndianExplicit), 0},
        CodecCase{"ExplicitBigEndian12", 12, false, dcmtk(EXS_BigEndianExplicit), 0},
        CodecCase{"ExplicitBigEndian8", 8, false, dcmtk(EXS_BigEndianExplicit), 0},
        CodecCase{"DeflatedLittleEndian12", 12, false, dcmtk(EXS_DeflatedLittleEndianExplicit), 0},
        CodecCase{"Rle12", 12, false, dcmtk(EXS_RLELossless), 0},
        CodecCase{"Rle8", 8, false, dcmtk(EXS_RLELossless), 0},
        CodecCase{"JpegLossless14_12", 12, false, dcmtk(EXS_JPEGProcess14, std::make_shared<DJ_RPLossless>(6, 0)), 0},
        CodecCase{"JpegLosslessSV1_16", 16, false, dcmtk(EXS_JPEGProcess14SV1, std::make_shared<DJ_RPLossless>()), 0},
        CodecCase{"JpegLsLossless12", 12, false, dcmtk(EXS_JPEGLSLossless, std::make_shared<DJLSRepresentationParameter>(0, true)), 0},
        CodecCase{"JpegLsLossless16", 16, false, dcmtk(EXS_JPEGLSLossless, std::make_shared<DJLSRepresentationParameter>(0, true)), 0},
        CodecCase{"Jpeg2000Lossless12", 12, false, openJpeg(true), 0},
        CodecCase{"Jpeg2000Lossless16Signed", 16, true, openJpeg(true), 0},
        CodecCase{"JpegBaseline8", 8, false, dcmtk(EXS_JPEGProcess1, std::make_shared<DJ_RPLossy>(90)), 24},
        CodecCase{"JpegExtended12", 12, false, dcmtk(EXS_JPEGProcess2_4, std::make_shared<DJ_RPLossy>(90)), 384},
        CodecCase{"JpegLsNearLossless12", 12, false, dcmtk(EXS_JPEGLSLossy, std::make_shared<DJLSRepresentationParameter>(2, false)), 2},
        CodecCase{"Jpeg2000Lossy12", 12, false, openJpeg(false), 384}),
    [](const ::testing::TestParamInfo<CodecCase>& info) { return std::string(info.param.name); });

std::filesystem::path saveExplicit(DcmFileFormat& file, const std::string& name) {
    const auto path = test::freshTempFolder(name) / "image.dcm";
    test::saveWithDcmtk(file, path, EXS_LittleEndianExplicit);
    return path;
}

TEST(DicomReader, Monochrome1AndMonochrome2OfTheSameContentLookTheSame) {
    const StoredFrame frame = patternFrame(32, 32, 12, false);
    StoredFrame inverted = frame;
    for (float& v : inverted.values) {
        v = 4095 - v;
    }
    auto m2 = makeDicom(frame, "MONOCHROME2");
    auto m1 = makeDicom(inverted, "MONOCHROME1");
    const Image a = readDicom(saveExplicit(*m2, "mono2"));
    const Image b = readDicom(saveExplicit(*m1, "mono1"));
    ASSERT_EQ(a.pixels.size(), b.pixels.size());
    for (size_t i = 0; i < a.pixels.size(); ++i) {
        ASSERT_NEAR(a.pixels[i], b.pixels[i], 1e-6) << "pixel " << i;
    }
    EXPECT_EQ(b.photometric, "MONOCHROME1");
}

TEST(DicomReader, Monochrome1IsInvertedAfterTheWindow) {
    StoredFrame frame{2, 1, 12, false, {1000, 3000}};
    auto file = makeDicom(frame, "MONOCHROME1");
    file->getDataset()->putAndInsertString(DCM_WindowCenter, "1000");
    file->getDataset()->putAndInsertString(DCM_WindowWidth, "1001");
    const Image image = readDicom(saveExplicit(*file, "mono1_window"));
    // LINEAR: y(1000) = (1000 - 999.5) / 1000 + 0.5 = 0.5005, shown as 1 - 0.5005; y(3000) = 1 -> 0.
    EXPECT_NEAR(image.pixels[0], 0.4995, 1e-6);
    EXPECT_NEAR(image.pixels[1], 0.0, 1e-7);
}

TEST(DicomReader, RescaleAndFirstWindowGiveHandComputedValues) {
    StoredFrame frame{4, 1, 12, false, {0, 600, 1000, 2000}};
    auto file = makeDicom(frame);
    DcmDataset& ds = *file->getDataset();
    ds.putAndInsertString(DCM_RescaleSlope, "2");
    ds.putAndInsertString(DCM_RescaleIntercept, "-1024");
    ds.putAndInsertString(DCM_WindowCenter, "1000\\40");
    ds.putAndInsertString(DCM_WindowWidth, "2001\\400");
    const Image image = readDicom(saveExplicit(*file, "rescale_window"));
    // modality values -1024, 176, 976, 2976; window 1000/2001 spans (-0.5, 1999.5].
    EXPECT_NEAR(image.pixels[0], 0.0, 1e-7);
    EXPECT_NEAR(image.pixels[1], (176 - 999.5) / 2000.0 + 0.5, 1e-6);
    EXPECT_NEAR(image.pixels[2], (976 - 999.5) / 2000.0 + 0.5, 1e-6);
    EXPECT_NEAR(image.pixels[3], 1.0, 1e-7);
    ASSERT_TRUE(image.window.has_value());
    EXPECT_DOUBLE_EQ(image.window->center, 1000.0);
    EXPECT_DOUBLE_EQ(image.window->width, 2001.0);
    EXPECT_EQ(image.window_source, "file window 1 of 2");
}

TEST(DicomReader, SignedSixteenBitValuesAreWindowedAsSigned) {
    StoredFrame frame{5, 1, 16, true, {-32768, -1000, 0, 1000, 32767}};
    auto file = makeDicom(frame);
    file->getDataset()->putAndInsertString(DCM_WindowCenter, "0");
    file->getDataset()->putAndInsertString(DCM_WindowWidth, "4001");
    const Image image = readDicom(saveExplicit(*file, "signed16"));
    EXPECT_NEAR(image.pixels[0], 0.0, 1e-7);
    EXPECT_NEAR(image.pixels[1], (-1000 + 0.5) / 4000.0 + 0.5, 1e-6);
    EXPECT_NEAR(image.pixels[2], 0.5 / 4000.0 + 0.5, 1e-6);
    EXPECT_NEAR(image.pixels[3], 1000.5 / 4000.0 + 0.5, 1e-6);
    EXPECT_NEAR(image.pixels[4], 1.0, 1e-7);
}

TEST(DicomReader, SignedTwelveBitValuesAreSignExtendedFromBitsStored) {
    StoredFrame frame{3, 1, 12, true, {-2048, -5, 2047}};
    auto file = makeDicom(frame);
    ImageReadOptions options;
    options.window = minMaxWindow(-2048, 2047);
    const Image image = readDicom(saveExplicit(*file, "signed12"), options);
    EXPECT_NEAR(image.pixels[0], 0.0, 1e-7);
    EXPECT_NEAR(image.pixels[1], (-5 + 2048) / 4095.0, 1e-6);
    EXPECT_NEAR(image.pixels[2], 1.0, 1e-7);
}

TEST(DicomReader, WithoutWindowTheMinMaxFallbackIsUsedAndNamed) {
    StoredFrame frame{3, 1, 12, false, {100, 200, 300}};
    auto file = makeDicom(frame);
    const Image image = readDicom(saveExplicit(*file, "minmax"));
    EXPECT_NEAR(image.pixels[0], 0.0, 1e-7);
    EXPECT_NEAR(image.pixels[1], 0.5, 1e-6);
    EXPECT_NEAR(image.pixels[2], 1.0, 1e-7);
    EXPECT_NE(image.window_source.find("min-max"), std::string::npos) << image.window_source;
}

TEST(DicomReader, VoiLutSequenceTakesPrecedenceOverTheWindow) {
    StoredFrame frame{3, 1, 8, false, {0, 1, 5}};
    auto file = makeDicom(frame);
    DcmDataset& ds = *file->getDataset();
    ds.putAndInsertString(DCM_WindowCenter, "128");
    ds.putAndInsertString(DCM_WindowWidth, "256");
    DcmItem* item = nullptr;
    ds.findOrCreateSequenceItem(DCM_VOILUTSequence, item, 0);
    const Uint16 descriptor[3] = {3, 0, 16};
    item->putAndInsertUint16Array(DCM_LUTDescriptor, descriptor, 3);
    const Uint16 data[3] = {65535, 0, 32768};
    item->putAndInsertUint16Array(DCM_LUTData, data, 3);
    item->putAndInsertString(DCM_LUTExplanation, "inverting test LUT");
    const Image image = readDicom(saveExplicit(*file, "voilut"));
    EXPECT_NEAR(image.pixels[0], 1.0, 1e-7);
    EXPECT_NEAR(image.pixels[1], 0.0, 1e-7);
    EXPECT_NEAR(image.pixels[2], 32768.0 / 65535.0, 1e-6);  // input 5 beyond the table: last entry
    EXPECT_FALSE(image.window.has_value());
    EXPECT_NE(image.window_source.find("inverting test LUT"), std::string::npos) << image.window_source;
}

TEST(DicomReader, PresentationLutShapeInverseInverts) {
    StoredFrame frame{2, 1, 8, false, {0, 255}};
    auto file = makeDicom(frame);
    file->getDataset()->putAndInsertString(DCM_PresentationLUTShape, "INVERSE");
    const Image image = readDicom(saveExplicit(*file, "inverse"));
    EXPECT_NEAR(image.pixels[0], 1.0, 1e-7);
    EXPECT_NEAR(image.pixels[1], 0.0, 1e-7);
}

TEST(DicomReader, MultiFrameShowsTheFirstFrameWithAWarning) {
    StoredFrame frames{4, 2, 8, false, {1, 2, 3, 4, 200, 200, 200, 200}};
    auto file = makeDicom(frames);
    DcmDataset& ds = *file->getDataset();
    ds.putAndInsertUint16(DCM_Rows, 1);
    ds.putAndInsertString(DCM_NumberOfFrames, "2");
    const Image image = readDicom(saveExplicit(*file, "multiframe"));
    ASSERT_EQ(image.height, 1);
    EXPECT_NEAR(image.pixels[0], 0.0, 1e-7);
    EXPECT_NEAR(image.pixels[3], 1.0, 1e-7);
    ASSERT_EQ(image.warnings.size(), 1u);
    EXPECT_EQ(image.warnings[0], "multi-frame: showing frame 1 of 2");
}

TEST(DicomReader, PixelSpacingAndTransferSyntaxAreReported) {
    auto file = makeDicom(patternFrame(8, 8, 12, false));
    file->getDataset()->putAndInsertString(DCM_PixelSpacing, "0.139\\0.143");
    const Image image = readDicom(saveExplicit(*file, "spacing"));
    ASSERT_TRUE(image.pixel_spacing_mm.has_value());
    EXPECT_DOUBLE_EQ((*image.pixel_spacing_mm)[0], 0.139);
    EXPECT_DOUBLE_EQ((*image.pixel_spacing_mm)[1], 0.143);
    EXPECT_EQ(image.transfer_syntax, "Explicit VR Little Endian");
}

TEST(DicomReader, DatasetWithoutPreambleOrMetaHeaderIsRecognisedByContent) {
    auto file = makeDicom(patternFrame(8, 8, 8, false));
    const auto path = test::freshTempFolder("no_meta") / "dataset.bin";
    ASSERT_TRUE(file->getDataset()->saveFile(path.c_str(), EXS_LittleEndianImplicit).good());
    EXPECT_EQ(detectImageFormat(path), ImageFileFormat::Dicom);
    EXPECT_EQ(readImage(path).width, 8);
}

}  // namespace
}  // namespace dpflow
