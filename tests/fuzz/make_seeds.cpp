// Writes the part of the fuzzers' seed corpus that the command line does not make:
// - IMAGE_DIR: small DICOM files of one pattern frame in every transfer syntax the readers
//   decode (and a few layouts: signed, MONOCHROME1, 8 and 16 bits allocated);
// - SAFETENSORS_DIR: a tiny safetensors file (two tensors and metadata) written by the
//   product's own serialiser.
// Usage: dpflow_fuzz_seeds IMAGE_DIR SAFETENSORS_DIR. See make-seed-corpus.sh.

#include "dicom_test_support.h"

#include "flow/safetensors.h"

#include <dcmtk/dcmjpeg/djrplol.h>
#include <dcmtk/dcmjpeg/djrploss.h>
#include <dcmtk/dcmjpls/djrparam.h>

#include <filesystem>
#include <iostream>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: dpflow_fuzz_seeds IMAGE_DIR SAFETENSORS_DIR\n";
        return 2;
    }
    using namespace dpflow::test;
    const std::filesystem::path out = argv[1];
    std::filesystem::create_directories(out);
    registerDcmtkEncoders();
    const dpflow::StoredFrame frame12 = patternFrame(24, 20, 12, false);
    const dpflow::StoredFrame frame8 = patternFrame(24, 20, 8, false);
    const dpflow::StoredFrame signed16 = patternFrame(24, 20, 16, true);
    const struct {
        const char* name;
        const dpflow::StoredFrame& frame;
        E_TransferSyntax xfer;
        const char* photometric;
    } dcmtk_cases[] = {
        {"explicit-le-12.dcm", frame12, EXS_LittleEndianExplicit, "MONOCHROME2"},
        {"implicit-le-12.dcm", frame12, EXS_LittleEndianImplicit, "MONOCHROME2"},
        {"explicit-be-12.dcm", frame12, EXS_BigEndianExplicit, "MONOCHROME1"},
        {"deflated-12.dcm", frame12, EXS_DeflatedLittleEndianExplicit, "MONOCHROME2"},
        {"explicit-le-8.dcm", frame8, EXS_LittleEndianExplicit, "MONOCHROME2"},
        {"explicit-le-signed-16.dcm", signed16, EXS_LittleEndianExplicit, "MONOCHROME2"},
        {"rle-12.dcm", frame12, EXS_RLELossless, "MONOCHROME2"},
        {"rle-8.dcm", frame8, EXS_RLELossless, "MONOCHROME1"},
        {"jpeg-lossless-sv1-12.dcm", frame12, EXS_JPEGProcess14SV1, "MONOCHROME2"},
        {"jpeg-baseline-8.dcm", frame8, EXS_JPEGProcess1, "MONOCHROME2"},
        {"jpeg-extended-12.dcm", frame12, EXS_JPEGProcess2_4, "MONOCHROME2"},
        {"jpeg-ls-lossless-12.dcm", frame12, EXS_JPEGLSLossless, "MONOCHROME2"},
        {"jpeg-ls-near-lossless-12.dcm", frame12, EXS_JPEGLSLossy, "MONOCHROME2"},
    };
    for (const auto& c : dcmtk_cases) {
        auto file = makeDicom(c.frame, c.photometric);
        saveWithDcmtk(*file, out / c.name, c.xfer);
    }
    auto j2k = makeDicom(frame12);
    saveAsJpeg2000(*j2k, frame12, out / "jpeg2000-lossless-12.dcm", true);
    auto j2k_lossy = makeDicom(signed16);
    saveAsJpeg2000(*j2k_lossy, signed16, out / "jpeg2000-lossy-signed-16.dcm", false, 8.0f);
    std::cout << "wrote " << (std::size(dcmtk_cases) + 2) << " DICOM files to " << out << '\n';

    dpflow::SafetensorsFile tiny;
    tiny.metadata["format"] = "pt";
    tiny.metadata["dpflow_model_card"] = R"({"format":"dpflow-glow","image_size":32})";
    tiny.tensors["flow.weight"] = dpflow::SafetensorsTensor{dpflow::SafetensorsDtype::F32, {2, 2}, std::vector<std::uint8_t>(16, 0x3f)};
    tiny.tensors["flow.bias"] = dpflow::SafetensorsTensor{dpflow::SafetensorsDtype::F32, {2}, std::vector<std::uint8_t>(8, 0)};
    std::filesystem::create_directories(argv[2]);
    dpflow::writeSafetensors(std::filesystem::path(argv[2]) / "tiny.safetensors", tiny);
    return 0;
}
