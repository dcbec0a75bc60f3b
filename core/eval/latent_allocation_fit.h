#pragma once

// Computing a latent allocation (privacy/latent_allocation.h) from public data only: how much each
// group of latent coordinates carries the finding and how much it carries the patient, and the
// budget shares that follow (docs/privacy-implementation.md, "Allocated budget").

#include "flow/flow_config.h"
#include "privacy/latent_allocation.h"
#include "privacy/latent_mechanisms.h"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace dpflow {

/// What one group of latent coordinates carries on the public data, averaged over its coordinates.
struct GroupStatistics {
    std::string name;
    int level = 0;              ///< 1 = finest (as LatentLayout counts levels from 0, plus one)
    int channel = 0;
    std::size_t begin = 0;
    std::size_t end = 0;
    double finding = 0.0;       ///< P_g: mean over j of the symmetric KL divergence between N(m0_j, v0_j) and N(m1_j, v1_j), the two label classes
    double identity = 0.0;      ///< I_g: mean over j of the intraclass correlation ICC(1) over patients with two or more images
};

/// Latents of public images (rows of D values), their 0/1 finding labels and their patients.
struct PublicLatents {
    std::vector<std::vector<float>> latents;
    std::vector<int> labels;
    std::vector<std::string> patients;
};

/// The weights per coordinate j: finding P_j and identity I_j (definitions as in GroupStatistics).
struct CoordinateStatistics {
    std::vector<double> finding;
    std::vector<double> identity;
};

/// P_j and I_j of every coordinate. Throws as groupStatistics does.
CoordinateStatistics coordinateStatistics(const PublicLatents& data, std::size_t dimension);

/// One group per channel of every level of `layout`, in latent order, with the means of
/// coordinateStatistics over its coordinates. Throws
/// std::invalid_argument when there are fewer than two images of either label, no patient with
/// two images, or a latent of the wrong size.
std::vector<GroupStatistics> groupStatistics(const PublicLatents& data, const LatentLayout& layout);
std::vector<GroupStatistics> groupStatistics(const CoordinateStatistics& coordinates, const LatentLayout& layout);

/// How the shares are chosen.
struct AllocationScheme {
    /// "weighted": minimise the finding-weighted distortion sum_g w_g n_g b_g^2 subject to
    /// sum_g Delta_g / b_g = eps with w_g = P_g / max(I_g, identity_floor); the Lagrange condition
    /// 2 w_g n_g b_g = lambda Delta_g / b_g^2 gives b_g proportional to (Delta_g / (w_g n_g))^(1/3),
    /// so eps_g = Delta_g / b_g is proportional to Delta_g^(2/3) (w_g n_g)^(1/3). Groups with w_g
    /// below exclude_below times the largest w_g are drawn from the prior.
    /// "coarse": the groups of the coarsest `coarse_levels` levels share one scale b (eps_g
    /// proportional to Delta_g, dpglow restricted to them); finer levels are drawn from the prior.
    std::string name = "weighted";
    double exclude_below = 0.05;
    double identity_floor = 0.01;
    int coarse_levels = 2;
};

/// The allocation of `scheme` over `groups` for the calibration `box` (Delta_g from it). The
/// caller fills in model_sha256, public_data and public_image_sha256. Throws
/// std::invalid_argument for an unknown scheme, exclude_below outside [0, 1), coarse_levels
/// below 1, or no group left with budget.
LatentAllocation allocateBudget(const std::vector<GroupStatistics>& groups, const LatentBox& box, const AllocationScheme& scheme);

/// What `dpflow allocate` reads.
struct AllocationFitSettings {
    std::filesystem::path model_path;
    std::filesystem::path data_path;            ///< manifest with file, split, label, patient and attribute columns
    std::vector<std::string> splits{"train"};   ///< public splits only: "test" is refused
    std::string label_column;                   ///< 0/1 finding
    std::string patient_column = "patient_id";
    AllocationScheme scheme;
};

/// Encodes every image of the public splits under its true attributes, computes the group
/// statistics and the allocation, and records the model's hash, the data and every image's
/// SHA-256. `progress(done, total)` after each image. Throws std::invalid_argument for a split
/// named "test" (it stands in for the private films: an allocation computed from released
/// images voids the guarantee), missing columns or too few images; ManifestError / ImageError
/// for unreadable inputs.
LatentAllocation fitLatentAllocation(const AllocationFitSettings& settings,
                                     const std::function<void(std::size_t, std::size_t)>& progress = {},
                                     CoordinateStatistics* statistics = nullptr);

}  // namespace dpflow
