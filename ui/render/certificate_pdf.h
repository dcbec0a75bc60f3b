#pragma once

#include <nlohmann/json_fwd.hpp>

#include <filesystem>

namespace dpflow {

/// Writes a release certificate (the JSON of finalizeCertificate) as an A4 PDF for the people
/// who sign a release off: the ethics paragraph first, then the release, privacy accounting,
/// attributes, safeguard, model, measured utility and re-identification, and every output file
/// with its SHA-256. A release whose randomness is not private, or whose guarantee does not
/// hold, says so in red at the top. Call ensureOffscreenGui() first. Throws std::runtime_error
/// naming the file when it cannot be written, std::invalid_argument for a certificate that
/// lacks a field.
void writeCertificatePdf(const nlohmann::json& certificate, const std::filesystem::path& pdf);

/// Renders the first page of the same document (same layout as the PDF) as a PNG of
/// `width_px` pixels, for previews where no PDF viewer is at hand. Call ensureOffscreenGui()
/// first. Throws as writeCertificatePdf.
void writeCertificateFirstPagePng(const nlohmann::json& certificate, const std::filesystem::path& png, int width_px);

}  // namespace dpflow
