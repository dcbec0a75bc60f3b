#pragma once

#include "privacy/allocated_noise_plan.h"
#include "privacy/attribute_policy.h"
#include "privacy/laplace_noise_plan.h"
#include "privacy/mechanism_settings.h"

#include <optional>
#include <string>
#include <vector>

namespace dpflow {

/// Every privacy number of one image's release, computed before any image is read or noise is
/// drawn, so `dpflow privatize --explain` and the release record show the same figures.
struct ReleaseAccounting {
    PrivacyMechanism mechanism = PrivacyMechanism::DpGlow;
    std::optional<LaplaceNoisePlan> plan;  ///< D, Delta, r, Delta_r, b, eps_mechanism; empty when D is not known yet (pixel without a model)
    std::optional<double> l1_radius;       ///< cadp: s
    std::string l1_radius_origin;          ///< cadp: where s came from (user flag or the data-independent default)
    std::optional<LatentDecoding> decoding;  ///< dpglow, cadp: how u~ is decoded (post-processing)
    std::optional<double> shrink_factor;     ///< decoding shrink: k = 1 / (1 + 2 b^2) applied to u~ (not for allocated: each group has its k_g)
    std::vector<GroupNoisePlan> groups;      ///< allocated: each group's plan; `plan` is then their sum (AllocatedNoisePlan::summary)
    std::string allocation_file;             ///< allocated: the allocation file's name
    std::string allocation_sha256;           ///< allocated: its SHA-256
    std::string allocation_scheme;           ///< allocated: "weighted" or "coarse"
    std::string allocation_public_data;      ///< allocated: the public data it was computed from
    double epsilon_mechanism = 0.0;        ///< eps_latent or eps_pixel
    std::vector<ReleasedAttribute> attributes;  ///< treatment of each model attribute (released values empty)
    double epsilon_per_try = 0.0;          ///< eps_mechanism + sum of protected eps_k
    int safeguard_factor = 1;              ///< resample tries n, else 1
    double epsilon_total = 0.0;            ///< safeguard_factor * epsilon_per_try

    /// "eps_latent" for dpglow and cadp, "eps_pixel" for pixel and dppix.
    std::string mechanismEpsilonName() const;

    /// The parts as one line, e.g. "3 x (eps_latent 100000 + eps_sex 1) = 300003".
    std::string partsText() const;
};

/// The noise plan of `settings` for a latent of D elements (dpglow: Delta = `box_sensitivity`;
/// cadp: Delta = 2 s) or a width x height image (pixel, dppix). Throws std::invalid_argument as
/// the mechanisms would.
LaplaceNoisePlan mechanismNoisePlan(const MechanismSettings& settings, std::size_t latent_dimension,
                                    double box_sensitivity, int width, int height);

/// Sets the allocated mechanism's fields of `accounting`: the groups, the summary plan, the
/// allocation file's name, hash, scheme and origin.
void describeAllocation(ReleaseAccounting& accounting, const AllocatedNoisePlan& plan, const LatentAllocation& allocation);

/// Assembles the accounting. `plan` may be empty only for image-space mechanisms without a
/// model. `attributes` are the model's (empty for image-space mechanisms).
ReleaseAccounting accountRelease(const MechanismSettings& settings, std::optional<LaplaceNoisePlan> plan,
                                 const AttributePolicy& policy, const std::vector<FlowAttribute>& attributes,
                                 int safeguard_factor);

/// What the treatment of `attribute` means, in plain words, as the record and the certificate
/// state it. Kept: the released value is the true value, disclosed in the record, the release
/// manifest and the DICOM header where DICOM has an element for it. Protected: the released
/// value is randomized at eps_k and no header carries it, but the pixels may still show the
/// attribute (a "PORTABLE" marker says AP; anatomy shows sex) and are protected only at
/// eps_latent, so the attribute is protected at eps_total, not at eps_k alone.
std::string attributeTreatmentStatement(const ReleasedAttribute& attribute, const ReleaseAccounting& accounting);

/// Whether eps is so large that the formal bound e^eps says nothing a reader can use (eps > 10:
/// any output may become e^10, about 22,000, times likelier). Above it only the measured attacks
/// speak for the patients; the studio and the certificate say so with vacuousGuaranteeStatement.
bool formalGuaranteeIsVacuous(double epsilon);

/// The sentence that says so, for eps_total `epsilon`.
std::string vacuousGuaranteeStatement(double epsilon);

/// The multi-line explanation printed by `dpflow privatize --explain`: D, Delta, r, b, the eps
/// parts and total, and every attribute with its keep probability.
std::string explainAccounting(const ReleaseAccounting& accounting);

}  // namespace dpflow
