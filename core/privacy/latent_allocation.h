#pragma once

#include "privacy/mechanism_settings.h"

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace dpflow {

/// One group of latent coordinates, the half-open range [begin, end) of the latent u (one
/// channel of one level in the allocations `dpflow allocate` writes), and its share of
/// eps_latent. A group with share 0 is not released from the image at all: its coordinates are
/// drawn from the prior N(0, 1), independently of the image, and add nothing to Delta or D r.
struct LatentGroup {
    std::string name;           ///< e.g. "level 4 channel 7"
    std::size_t begin = 0;
    std::size_t end = 0;
    double budget_share = 0.0;  ///< fraction of eps_latent spent on this group; 0: drawn from the prior
    double finding = 0.0;       ///< P_g: how much the group separates the finding on the public data (for display)
    double identity = 0.0;      ///< I_g: share of the group's variance between patients on the public data (for display)

    std::size_t size() const { return end - begin; }
    bool drawnFromPrior() const { return budget_share == 0.0; }
};

/// How the `allocated` mechanism spends eps_latent over groups of latent coordinates. Computed
/// from public data only (a model's training split, or other public films) and stored in its own
/// file beside the model (docs/privacy-implementation.md, "Allocated budget"), so the model's
/// hash and its shipped sweep stay valid. The shares are data-independent for the images being
/// released, which is what keeps the release exactly eps-LDP.
struct LatentAllocation {
    std::string scheme;                      ///< "weighted" or "coarse"
    std::string objective;                   ///< how the shares were chosen, in words
    std::string model_sha256;                ///< of the weights file the allocation was computed for
    std::string public_data;                 ///< which public data it was computed from, in words
    std::vector<std::string> public_image_sha256;  ///< every image it was computed from, so a release of one of them is refused
    std::vector<LatentGroup> groups;         ///< disjoint, in order, covering the whole latent

    std::string file_name;                   ///< set by readLatentAllocation: the file's name
    std::string file_sha256;                 ///< set by readLatentAllocation: SHA-256 of the file's bytes

    /// Number of coordinates drawn from the prior.
    std::size_t priorCoordinates() const;
    /// True when `sha256` is one of the images the allocation was computed from.
    bool computedFromImage(const std::string& sha256) const;
};

/// Reads an allocation file (format "dpflow-latent-allocation", version 1). Throws
/// std::runtime_error naming the file when it cannot be read or parsed, and
/// std::invalid_argument when its groups are not valid (see validateLatentAllocation without a
/// dimension: disjoint, in order, shares in [0, 1] summing to 1).
LatentAllocation readLatentAllocation(const std::filesystem::path& path);

/// Writes `allocation` as JSON (atomically: a partial file is renamed into place).
void writeLatentAllocation(const std::filesystem::path& path, const LatentAllocation& allocation);

/// Checks that the groups are contiguous from 0 to `dimension`, that every share is in [0, 1],
/// that the shares sum to 1 and at least one group has budget; and, when `model_sha256` is not
/// empty, that the allocation was computed for that model. Throws std::invalid_argument saying
/// what is wrong.
void validateLatentAllocation(const LatentAllocation& allocation, std::size_t dimension, const std::string& model_sha256);

/// The file an allocation of `model_path` is expected in: MODEL.allocation.json beside
/// MODEL.safetensors.
std::filesystem::path allocationPathBeside(const std::filesystem::path& model_path);

/// One mechanism as a sweep or a strip shows it: for allocated, one allocation file.
struct MechanismChoice {
    PrivacyMechanism mechanism = PrivacyMechanism::DpGlow;
    std::string label;       ///< the rows' name: the mechanism's, "allocated:STEM" when several allocations are shown
    std::string allocation;  ///< allocated: the file
};

/// `mechanisms` in order, allocated once per file of `allocations` (labelled "allocated:STEM"
/// when there are several), or once with the file beside `model_path` when none is given.
/// Throws std::invalid_argument when allocations are given without allocated.
std::vector<MechanismChoice> mechanismChoices(const std::vector<PrivacyMechanism>& mechanisms,
                                              const std::vector<std::string>& allocations,
                                              const std::filesystem::path& model_path);

}  // namespace dpflow
