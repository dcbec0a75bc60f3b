#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace dpflow {

/// The mechanisms of docs/privacy-semantics.md that release an image.
enum class PrivacyMechanism {
    DpGlow,  ///< M1: latent Laplace with box clipping (needs a calibrated model)
    Cadp,    ///< M2: latent Laplace with per-image L1-ball clipping
    Pixel,   ///< M4: Laplace on every pixel
    DpPix,   ///< M4: Fan (2018) pixelisation
    /// M1 with the budget allocated over groups of latent coordinates from public data (a
    /// latent_allocation.h file): per-group scales b_g, groups without budget drawn from the prior
    Allocated,
};

/// "dpglow", "cadp", "pixel", "dppix", "allocated".
std::string mechanismName(PrivacyMechanism mechanism);

/// Parses a name of mechanismName; throws std::invalid_argument listing the accepted names.
PrivacyMechanism parseMechanism(const std::string& name);

/// True for M1, M2 and allocated, which work on the flow's latent and therefore need a model.
bool isLatentMechanism(PrivacyMechanism mechanism);

/// How a noisy latent u~ becomes an image. Both use only public quantities (b and the N(0,1)
/// prior of u), so both are post-processing and spend no budget.
enum class LatentDecoding {
    Direct,  ///< x~ = f^-1(u~ | c'), as DP-GLOW and CADP publish
    /// x~ = f^-1(k u~ | c') with k = 1 / (1 + 2 b^2): the linear least-squares estimate of u from
    /// u~ under u ~ N(0,1) and Laplace noise of variance 2 b^2. At small eps it moves u~ towards
    /// the prior mode instead of far outside anything the decoder was trained on, which is where
    /// Direct decodes to saturated, blown-up images.
    Shrink,
};

/// "direct", "shrink".
std::string latentDecodingName(LatentDecoding decoding);

/// Parses a name of latentDecodingName; throws std::invalid_argument listing the accepted names.
LatentDecoding parseLatentDecoding(const std::string& name);

/// k = 1 / (1 + 2 b^2), the factor of LatentDecoding::Shrink for noise scale b >= 0.
double latentShrinkFactor(double noise_scale);

/// What the image mechanism is and how much budget it spends (attributes are separate: see
/// attribute_policy.h).
struct MechanismSettings {
    PrivacyMechanism mechanism = PrivacyMechanism::DpGlow;
    double epsilon = 0.0;               ///< eps_latent (dpglow, cadp) or eps_pixel (pixel, dppix); > 0
    std::optional<double> l1_radius;    ///< cadp: s; empty means defaultL1Radius(D)
    int dppix_cell = 4;                 ///< dppix: cell side b in pixels
    int dppix_neighbourhood = 16;       ///< dppix: m, the number of pixels in which neighbouring images may differ
    LatentDecoding decoding = LatentDecoding::Shrink;  ///< latent mechanisms: how u~ is decoded
    std::string allocation;             ///< allocated: the allocation file (empty: MODEL.allocation.json beside the model)
};

/// The default M2 radius: the expected L1 norm of a standard normal latent, sqrt(2/pi) * D.
/// It depends only on D, never on the images, so choosing it spends no budget.
double defaultL1Radius(std::size_t dimension);

/// Sentence recorded beside the default radius, saying why it is data-independent.
extern const char* const kDefaultL1RadiusOrigin;

/// Throws std::invalid_argument when eps is not positive and finite, a given radius is not,
/// or the dppix cell or neighbourhood is below 1.
void validateMechanismSettings(const MechanismSettings& settings);

}  // namespace dpflow
