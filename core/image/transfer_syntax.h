#pragma once

#include <string>
#include <vector>

namespace dpflow {

/// Which code turns a transfer syntax's pixel data into stored values here.
enum class PixelDecoder {
    Native,    ///< uncompressed (DCMTK reads it; deflate is undone by DCMTK while reading)
    Dcmtk,     ///< DCMTK codec: RLE (dcmdata), JPEG (dcmjpeg), JPEG-LS (dcmjpls)
    OpenJpeg,  ///< JPEG 2000, which DCMTK's open edition cannot decode
    None,      ///< no decoder available: the file is refused naming the transfer syntax
};

/// A transfer syntax as the readers see it.
struct TransferSyntaxInfo {
    std::string uid;
    std::string name;     ///< in words, e.g. "JPEG 2000 (lossless only)"
    PixelDecoder decoder = PixelDecoder::None;
};

/// Looks a transfer syntax UID up in the table of those DICOM defines (PS3.6 Annex A), including
/// recent ones DCMTK 3.6.7 does not know (HTJ2K, JPEG XL, ...). An unknown UID gets the name
/// "unknown transfer syntax <uid>" and no decoder.
TransferSyntaxInfo lookUpTransferSyntax(const std::string& uid);

/// The UIDs of every transfer syntax whose pixel data can be decoded here (decoder not None), in
/// the table's order: what a retrieve may accept without asking the sender to transcode.
std::vector<std::string> decodableTransferSyntaxUids();

}  // namespace dpflow
