#pragma once

namespace dpflow {

/// Prepares DCMTK for use by the image readers and writers, once per process and safe to call
/// from any thread: registers the RLE (dcmdata), JPEG (dcmjpeg) and JPEG-LS (dcmjpls) decoders,
/// and silences DCMTK's logger, whose default configuration prints warnings to stderr and would
/// clutter the CLI's output (the readers report problems as ImageError reasons or warnings).
void prepareDcmtk();

}  // namespace dpflow
