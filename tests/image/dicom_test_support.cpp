#include "dicom_test_support.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcrleerg.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmjpeg/djencode.h>
#include <dcmtk/dcmjpls/djencode.h>
#include <openjpeg.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <vector>
#include <unistd.h>

namespace dpflow::test {

std::filesystem::path freshTempFolder(const std::string& name) {
    auto folder = std::filesystem::temp_directory_path() / ("dpflow_image_test_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder);
    return folder;
}

StoredFrame patternFrame(int width, int height, int bits_stored, bool is_signed) {
    StoredFrame frame{width, height, bits_stored, is_signed, {}};
    const int64_t levels = int64_t{1} << bits_stored;
    const int64_t low = is_signed ? -levels / 2 : 0;
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const double smooth = (x + y) / static_cast<double>(width + height - 2);
            const int64_t texture = ((x * 7 + y * 13) % 5) - 2;
            int64_t v = low + static_cast<int64_t>(std::lround(smooth * (levels - 1))) + texture;
            v = std::clamp<int64_t>(v, low, low + levels - 1);
            frame.values.push_back(static_cast<float>(v));
        }
    }
    return frame;
}

std::unique_ptr<DcmFileFormat> makeDicom(const StoredFrame& frame, const std::string& photometric) {
    auto file = std::make_unique<DcmFileFormat>();
    DcmDataset& ds = *file->getDataset();
    char uid[100];
    ds.putAndInsertString(DCM_SOPClassUID, UID_SecondaryCaptureImageStorage);
    ds.putAndInsertString(DCM_SOPInstanceUID, dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT));
    ds.putAndInsertString(DCM_StudyInstanceUID, dcmGenerateUniqueIdentifier(uid, SITE_STUDY_UID_ROOT));
    ds.putAndInsertString(DCM_SeriesInstanceUID, dcmGenerateUniqueIdentifier(uid, SITE_SERIES_UID_ROOT));
    ds.putAndInsertString(DCM_Modality, "OT");
    ds.putAndInsertUint16(DCM_Rows, static_cast<Uint16>(frame.height));
    ds.putAndInsertUint16(DCM_Columns, static_cast<Uint16>(frame.width));
    ds.putAndInsertUint16(DCM_SamplesPerPixel, 1);
    ds.putAndInsertString(DCM_PhotometricInterpretation, photometric.c_str());
    const int bits_allocated = frame.bits_stored <= 8 ? 8 : 16;
    ds.putAndInsertUint16(DCM_BitsAllocated, static_cast<Uint16>(bits_allocated));
    ds.putAndInsertUint16(DCM_BitsStored, static_cast<Uint16>(frame.bits_stored));
    ds.putAndInsertUint16(DCM_HighBit, static_cast<Uint16>(frame.bits_stored - 1));
    ds.putAndInsertUint16(DCM_PixelRepresentation, frame.is_signed ? 1 : 0);
    const uint32_t mask = (1u << frame.bits_stored) - 1u;
    if (bits_allocated == 8) {
        std::vector<Uint8> bytes;
        for (const float v : frame.values) {
            bytes.push_back(static_cast<Uint8>(static_cast<uint32_t>(static_cast<int32_t>(v)) & mask));
        }
        ds.putAndInsertUint8Array(DCM_PixelData, bytes.data(), bytes.size());
    } else {
        std::vector<Uint16> words;
        for (const float v : frame.values) {
            words.push_back(static_cast<Uint16>(static_cast<uint32_t>(static_cast<int32_t>(v)) & mask));
        }
        ds.putAndInsertUint16Array(DCM_PixelData, words.data(), words.size());
    }
    return file;
}

void registerDcmtkEncoders() {
    static std::once_flag once;
    std::call_once(once, [] {
        DcmRLEEncoderRegistration::registerCodecs();
        DJEncoderRegistration::registerCodecs();
        DJLSEncoderRegistration::registerCodecs();
    });
}

void saveWithDcmtk(DcmFileFormat& file, const std::filesystem::path& path, E_TransferSyntax xfer,
                   const DcmRepresentationParameter* parameter) {
    registerDcmtkEncoders();
    if (DcmXfer(xfer).isEncapsulated()) {
        const OFCondition status = file.getDataset()->chooseRepresentation(xfer, parameter);
        if (status.bad() || !file.getDataset()->canWriteXfer(xfer)) {
            throw std::runtime_error(std::string("cannot encode test image: ") + status.text());
        }
    }
    const OFCondition status = file.saveFile(path.c_str(), xfer);
    if (status.bad()) {
        throw std::runtime_error(std::string("cannot save test image: ") + status.text());
    }
}

namespace {

struct MemoryWriter {
    std::vector<uint8_t> bytes;
    size_t position = 0;
};

OPJ_SIZE_T writeBytes(void* buffer, OPJ_SIZE_T count, void* user) {
    auto* writer = static_cast<MemoryWriter*>(user);
    if (writer->position + count > writer->bytes.size()) {
        writer->bytes.resize(writer->position + count);
    }
    std::memcpy(writer->bytes.data() + writer->position, buffer, count);
    writer->position += count;
    return count;
}

OPJ_OFF_T skipBytes(OPJ_OFF_T count, void* user) {
    auto* writer = static_cast<MemoryWriter*>(user);
    writer->position += static_cast<size_t>(count);
    if (writer->position > writer->bytes.size()) {
        writer->bytes.resize(writer->position);
    }
    return count;
}

OPJ_BOOL seekBytes(OPJ_OFF_T offset, void* user) {
    static_cast<MemoryWriter*>(user)->position = static_cast<size_t>(offset);
    return OPJ_TRUE;
}

std::vector<uint8_t> encodeJpeg2000(const StoredFrame& frame, bool lossless, float ratio) {
    opj_image_cmptparm_t component{};
    component.dx = component.dy = 1;
    component.w = static_cast<OPJ_UINT32>(frame.width);
    component.h = static_cast<OPJ_UINT32>(frame.height);
    component.prec = static_cast<OPJ_UINT32>(frame.bits_stored);
    component.sgnd = frame.is_signed ? 1 : 0;
    opj_image_t* image = opj_image_create(1, &component, OPJ_CLRSPC_GRAY);
    image->x1 = component.w;
    image->y1 = component.h;
    std::copy(frame.values.begin(), frame.values.end(), image->comps[0].data);
    opj_cparameters_t parameters;
    opj_set_default_encoder_parameters(&parameters);
    parameters.tcp_numlayers = 1;
    parameters.tcp_rates[0] = lossless ? 0.0f : ratio;
    parameters.cp_disto_alloc = 1;
    parameters.irreversible = lossless ? 0 : 1;
    // Each resolution level halves the image; OpenJPEG refuses more levels than the size allows.
    int levels = 1;
    while (levels < 6 && (std::min(frame.width, frame.height) >> levels) >= 1) {
        ++levels;
    }
    parameters.numresolution = levels;
    opj_codec_t* codec = opj_create_compress(OPJ_CODEC_J2K);
    MemoryWriter writer;
    opj_stream_t* stream = opj_stream_default_create(OPJ_FALSE);
    opj_stream_set_user_data(stream, &writer, nullptr);
    opj_stream_set_write_function(stream, writeBytes);
    opj_stream_set_skip_function(stream, skipBytes);
    opj_stream_set_seek_function(stream, seekBytes);
    const bool ok = opj_setup_encoder(codec, &parameters, image) && opj_start_compress(codec, image, stream) &&
                    opj_encode(codec, stream) && opj_end_compress(codec, stream);
    opj_stream_destroy(stream);
    opj_destroy_codec(codec);
    opj_image_destroy(image);
    if (!ok) {
        throw std::runtime_error("OpenJPEG could not encode the test frame");
    }
    return writer.bytes;
}

}  // namespace

void saveAsJpeg2000(DcmFileFormat& file, const StoredFrame& frame, const std::filesystem::path& path,
                    bool lossless, float ratio, const std::string& meta_xfer_uid) {
    std::vector<uint8_t> codestream = encodeJpeg2000(frame, lossless, ratio);
    if (codestream.size() % 2 != 0) {
        codestream.push_back(0);
    }
    const E_TransferSyntax xfer = lossless ? EXS_JPEG2000LosslessOnly : EXS_JPEG2000;
    auto* sequence = new DcmPixelSequence(DCM_PixelSequenceTag);
    sequence->insert(new DcmPixelItem(DCM_PixelItemTag));  // empty Basic Offset Table
    auto* fragment = new DcmPixelItem(DCM_PixelItemTag);
    fragment->putUint8Array(codestream.data(), static_cast<Uint32>(codestream.size()));
    sequence->insert(fragment);
    auto* pixel_data = new DcmPixelData(DCM_PixelData);
    pixel_data->putOriginalRepresentation(xfer, nullptr, sequence);
    DcmDataset& ds = *file.getDataset();
    ds.insert(pixel_data, true);
    if (!lossless) {
        ds.putAndInsertString(DCM_LossyImageCompression, "01");
    }
    E_FileWriteMode mode = EWM_createNewMeta;
    if (!meta_xfer_uid.empty()) {
        file.validateMetaInfo(xfer);
        file.getMetaInfo()->putAndInsertString(DCM_TransferSyntaxUID, meta_xfer_uid.c_str());
        mode = EWM_dontUpdateMeta;
    }
    const OFCondition status = file.saveFile(path.c_str(), xfer, EET_ExplicitLength, EGL_recalcGL, EPD_noChange,
                                             0, 0, mode);
    if (status.bad()) {
        throw std::runtime_error(std::string("cannot save JPEG 2000 test image: ") + status.text());
    }
}

}  // namespace dpflow::test
