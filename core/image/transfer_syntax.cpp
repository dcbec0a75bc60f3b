#include "image/transfer_syntax.h"

#include <array>

namespace dpflow {
namespace {

struct Entry {
    const char* uid;
    const char* name;
    PixelDecoder decoder;
};

constexpr std::array kTransferSyntaxes = {
    Entry{"1.2.840.10008.1.2", "Implicit VR Little Endian", PixelDecoder::Native},
    Entry{"1.2.840.10008.1.2.1", "Explicit VR Little Endian", PixelDecoder::Native},
    Entry{"1.2.840.10008.1.2.1.98", "Encapsulated Uncompressed Explicit VR Little Endian", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", PixelDecoder::Native},
    Entry{"1.2.840.10008.1.2.2", "Explicit VR Big Endian", PixelDecoder::Native},
    Entry{"1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", PixelDecoder::Dcmtk},
    Entry{"1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", PixelDecoder::Dcmtk},
    Entry{"1.2.840.10008.1.2.4.53", "JPEG Spectral Selection, Non-Hierarchical (Process 6 & 8)", PixelDecoder::Dcmtk},
    Entry{"1.2.840.10008.1.2.4.55", "JPEG Full Progression, Non-Hierarchical (Process 10 & 12)", PixelDecoder::Dcmtk},
    Entry{"1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)", PixelDecoder::Dcmtk},
    Entry{"1.2.840.10008.1.2.4.70", "JPEG Lossless, First-Order Prediction (Process 14 SV1)", PixelDecoder::Dcmtk},
    Entry{"1.2.840.10008.1.2.4.80", "JPEG-LS Lossless", PixelDecoder::Dcmtk},
    Entry{"1.2.840.10008.1.2.4.81", "JPEG-LS Near-Lossless", PixelDecoder::Dcmtk},
    Entry{"1.2.840.10008.1.2.4.90", "JPEG 2000 (lossless only)", PixelDecoder::OpenJpeg},
    Entry{"1.2.840.10008.1.2.4.91", "JPEG 2000", PixelDecoder::OpenJpeg},
    Entry{"1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component (lossless only)", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.94", "JPIP Referenced", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.95", "JPIP Referenced Deflate", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.100.1", "Fragmentable MPEG2 Main Profile / Main Level", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.101", "MPEG2 Main Profile / High Level", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.101.1", "Fragmentable MPEG2 Main Profile / High Level", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.102.1", "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.1", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.103", "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.103.1", "Fragmentable MPEG-4 AVC/H.264 BD-compatible High Profile", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.104", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.104.1", "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.105", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.105.1", "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.106", "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.106.1", "Fragmentable MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.107", "HEVC/H.265 Main Profile / Level 5.1", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.108", "HEVC/H.265 Main 10 Profile / Level 5.1", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.110", "JPEG XL Lossless", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.111", "JPEG XL JPEG Recompression", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.112", "JPEG XL", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 (HTJ2K) Lossless", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options (HTJ2K) Lossless", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 (HTJ2K)", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.204", "JPIP HTJ2K Referenced", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.4.205", "JPIP HTJ2K Referenced Deflate", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.5", "RLE Lossless", PixelDecoder::Dcmtk},
    Entry{"1.2.840.10008.1.2.6.1", "RFC 2557 MIME Encapsulation", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.6.2", "XML Encoding", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.7.1", "SMPTE ST 2110-20 Uncompressed Progressive Active Video", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.7.2", "SMPTE ST 2110-20 Uncompressed Interlaced Active Video", PixelDecoder::None},
    Entry{"1.2.840.10008.1.2.7.3", "SMPTE ST 2110-30 PCM Digital Audio", PixelDecoder::None},
};

}  // namespace

TransferSyntaxInfo lookUpTransferSyntax(const std::string& uid) {
    for (const Entry& entry : kTransferSyntaxes) {
        if (uid == entry.uid) {
            return TransferSyntaxInfo{uid, entry.name, entry.decoder};
        }
    }
    return TransferSyntaxInfo{uid, "unknown transfer syntax " + uid, PixelDecoder::None};
}

std::vector<std::string> decodableTransferSyntaxUids() {
    std::vector<std::string> uids;
    for (const Entry& entry : kTransferSyntaxes) {
        if (entry.decoder != PixelDecoder::None) uids.push_back(entry.uid);
    }
    return uids;
}

}  // namespace dpflow
