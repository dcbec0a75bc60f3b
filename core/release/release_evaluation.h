#pragma once

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <string>

namespace dpflow {

struct SweepResults;

/// The name of the rows of `results` that measured `mechanism`: the mechanism's own name, or for
/// `allocated` the rows ("allocated:STEM") of the swept allocation file whose SHA-256 is
/// `allocation_sha256`, whatever the file was called when swept. Empty when the sweep did not
/// measure that allocation: another allocation's figures are not this one's.
std::string sweepRowsMeasuring(const SweepResults& results, const std::string& mechanism, const std::string& allocation_sha256);

/// The measured utility and re-identification figures a certificate quotes: the row of a sweep
/// results file (writeSweepResults) at the release's mechanism and eps. Returns an object with
/// the file, its SHA-256, the sweep's data and model hashes, "found", and when found "row":
/// mechanism, epsilon, noise_scale, test_images, protocol_a/b AUC with 95% CI, mean SSIM and
/// PSNR, per attacker the identification and linkage top-1 rates with chance, and
/// reidentification_top1 / _chance / _attacker for the strongest identification attack and
/// linkage_top1 / _chance / _attacker for the strongest linkage attack.
/// eps matches when equal to 1e-9 relative. A sweep on a different model (by hash) is quoted
/// with "model_matches": false, never silently. Throws std::runtime_error when the file cannot
/// be read (readSweepResults).
/// For `allocated`, `allocation_sha256` picks the rows measured with that allocation file (a
/// sweep may compare several, as "allocated:STEM"); "allocation_found" says whether the sweep
/// measured it at all.
nlohmann::json evaluationAtEpsilon(const std::filesystem::path& sweep_csv, const std::string& mechanism, double epsilon,
                                   const std::string& model_sha256, const std::string& allocation_sha256 = "");

}  // namespace dpflow
