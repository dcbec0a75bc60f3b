#pragma once

#include <cstddef>
#include <string>

namespace dpflow {

/// Checks, before DCMTK reads a file, that every element's declared length fits in the bytes
/// that follow it. DCMTK allocates what a length declares before it reads the value, so a
/// 400-byte file whose Pixel Data declares 2.46 GB would otherwise reserve 2.46 GB.
///
/// The walk reads only element headers: the meta header (explicit VR little endian), then the
/// dataset in its transfer syntax (implicit or explicit VR, either byte order); undefined-length
/// sequences, items and encapsulated pixel data are walked through, defined-length values are
/// skipped. A deflated dataset (1.2.840.10008.1.2.1.99) is inflated first, at most to what its
/// bytes can inflate to (1032:1) and to `max_inflated_bytes`, and walked inflated.
///
/// Returns an empty string when every length fits, else the first lie in words, e.g.
/// "element (7FE0,0010) declares 2460000000 bytes, but only 16 follow". A file that merely
/// ends early (a truncated header) is left to DCMTK, which says so itself.
std::string findDicomLengthLie(const unsigned char* data, std::size_t size, std::size_t max_inflated_bytes);

}  // namespace dpflow
