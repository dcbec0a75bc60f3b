#pragma once

#include "release/release_shard.h"
#include "release/released_item.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace dpflow {

/// Completes a certificate (format "dpflow-release-certificate", version 1) for the release in
/// `folder`. `common` holds what does not depend on which images were released: purpose,
/// settings and their fingerprint, software, model (card and SHA-256), mechanism accounting
/// (eps parts, sensitivity, noise scale), attributes disclosed and protected, safeguard
/// settings, guarantee, randomness and evaluation. Adds: every image with its eps and the
/// SHA-256 of each of its files (read from `folder` now), the release manifest's SHA-256, the
/// counts (released, withheld, failed), the shards, the creation time, a plain-language
/// paragraph for an ethics board, and `certificate_sha256` over all of the rest. Throws
/// std::runtime_error naming a file that cannot be read.
nlohmann::json finalizeCertificate(nlohmann::json common, const std::vector<ReleasedItem>& items, int failed,
                                   const std::vector<ReleaseShard>& shards, const std::filesystem::path& folder);

/// The paragraph for an ethics board, in plain words, from a certificate's fields: what was
/// released and for what, the eps per image and what it means, attributes disclosed, images
/// withheld, the measured re-identification figure when there is one, and whether the formal
/// guarantee holds.
std::string ethicsStatement(const nlohmann::json& certificate);

/// SHA-256 of the certificate's canonical JSON without its `certificate_sha256` field.
std::string certificateDigest(const nlohmann::json& certificate);

/// Writes the release manifest (CSV: id, file, then the kept attributes' released values)
/// atomically; withheld images have no row. No source path or identifier appears in it.
void writeReleaseManifest(const std::filesystem::path& folder, const std::vector<ReleasedItem>& items,
                          const std::vector<std::string>& kept_attributes);

/// What `dpflow verify-release` found.
struct ReleaseVerification {
    std::size_t files_checked = 0;
    std::vector<std::string> problems;  ///< one sentence per problem; empty when the release is intact
    bool ok() const { return problems.empty(); }
};

/// Re-checks a release folder: the certificate parses and its digest matches its content, every
/// file it lists exists with the recorded SHA-256, the release manifest matches its hash and
/// lists exactly the released images, no image file is present that the certificate does not
/// list, and the counts and per-image eps agree with the images listed. Never throws for a
/// damaged release (that is a problem in the result); throws std::runtime_error only when
/// `folder` holds no certificate.
ReleaseVerification verifyRelease(const std::filesystem::path& folder);

}  // namespace dpflow
