#pragma once

namespace dpflow {

/// Names inside a release folder. What may leave the hospital: the images, the release
/// manifest and the certificate (JSON and PDF). What stays: the per-image records (they name
/// the source file and its hash), the audit trail, the budget ledger and the run's state.
namespace release_layout {
inline constexpr const char* kImages = "images";
inline constexpr const char* kRecords = "records";
inline constexpr const char* kManifest = "release-manifest.csv";
inline constexpr const char* kCertificate = "certificate.json";
inline constexpr const char* kCertificatePdf = "certificate.pdf";
inline constexpr const char* kAudit = "audit.jsonl";
inline constexpr const char* kLedger = "privacy-ledger.jsonl";
inline constexpr const char* kState = "release-state.jsonl";
}  // namespace release_layout

}  // namespace dpflow
