#include "privacy/mechanism_settings.h"

#include <cmath>
#include <stdexcept>

namespace dpflow {

const char* const kDefaultL1RadiusOrigin =
    "default sqrt(2/pi) * D, the expected L1 norm of a standard normal latent: it depends only on D, "
    "not on any image, so it spends no budget";

std::string mechanismName(PrivacyMechanism mechanism) {
    switch (mechanism) {
        case PrivacyMechanism::DpGlow: return "dpglow";
        case PrivacyMechanism::Cadp: return "cadp";
        case PrivacyMechanism::Pixel: return "pixel";
        case PrivacyMechanism::DpPix: return "dppix";
        case PrivacyMechanism::Allocated: return "allocated";
    }
    throw std::invalid_argument("unknown privacy mechanism");
}

PrivacyMechanism parseMechanism(const std::string& name) {
    for (auto mechanism : {PrivacyMechanism::DpGlow, PrivacyMechanism::Cadp, PrivacyMechanism::Pixel, PrivacyMechanism::DpPix,
                           PrivacyMechanism::Allocated})
        if (mechanismName(mechanism) == name) return mechanism;
    throw std::invalid_argument("unknown mechanism '" + name + "': use dpglow, cadp, pixel, dppix or allocated");
}

bool isLatentMechanism(PrivacyMechanism mechanism) {
    return mechanism == PrivacyMechanism::DpGlow || mechanism == PrivacyMechanism::Cadp ||
           mechanism == PrivacyMechanism::Allocated;
}

double defaultL1Radius(std::size_t dimension) {
    return std::sqrt(2.0 / M_PI) * static_cast<double>(dimension);
}

void validateMechanismSettings(const MechanismSettings& settings) {
    if (!(settings.epsilon > 0.0) || !std::isfinite(settings.epsilon))
        throw std::invalid_argument("epsilon must be positive and finite");
    if (settings.l1_radius && (!(*settings.l1_radius > 0.0) || !std::isfinite(*settings.l1_radius)))
        throw std::invalid_argument("the L1 radius s must be positive and finite");
    if (settings.dppix_cell < 1) throw std::invalid_argument("the dppix cell size must be at least 1 pixel");
    if (settings.dppix_neighbourhood < 1) throw std::invalid_argument("the dppix neighbourhood m must be at least 1 pixel");
}

std::string latentDecodingName(LatentDecoding decoding) {
    return decoding == LatentDecoding::Direct ? "direct" : "shrink";
}

LatentDecoding parseLatentDecoding(const std::string& name) {
    if (name == "direct") return LatentDecoding::Direct;
    if (name == "shrink") return LatentDecoding::Shrink;
    throw std::invalid_argument("unknown latent decoding '" + name + "' (use direct or shrink)");
}

double latentShrinkFactor(double noise_scale) { return 1.0 / (1.0 + 2.0 * noise_scale * noise_scale); }

}  // namespace dpflow
