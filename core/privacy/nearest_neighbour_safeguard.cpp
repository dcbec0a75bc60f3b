#include "privacy/nearest_neighbour_safeguard.h"

#include "flow/preprocessing.h"
#include "image/image_reader.h"
#include "image/manifest.h"
#include "image/sha256.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace dpflow {

std::string safeguardPolicyName(SafeguardPolicy policy) {
    return policy == SafeguardPolicy::Withhold ? "withhold" : "resample";
}

SafeguardPolicy parseSafeguardPolicy(const std::string& name) {
    if (name == "withhold") return SafeguardPolicy::Withhold;
    if (name == "resample") return SafeguardPolicy::Resample;
    throw std::invalid_argument("unknown safeguard policy '" + name + "': use withhold or resample");
}

int safeguardAccountingFactor(const SafeguardSettings& settings) {
    return settings.policy == SafeguardPolicy::Resample ? settings.tries : 1;
}

std::string explainSafeguard(const SafeguardSettings& s) {
    std::string text = fmt::format("safeguard: {} below distance tau = {:.17g} to the nearest image of {}",
                                   safeguardPolicyName(s.policy), s.tau, s.reference_manifest.string());
    if (s.policy == SafeguardPolicy::Resample) text += fmt::format(", at most {} tries (accounted {} x eps)", s.tries, s.tries);
    text += s.reference_public
                ? "\nreference set asserted public: withholding is post-processing (it becomes private, and the formal "
                  "guarantee no longer holds, if it contains an image being released)\n"
                : "\nreference set treated as private (no --reference-public): the formal guarantee no longer holds "
                  "for the released images\n";
    return text;
}

void validateSafeguardSettings(const SafeguardSettings& settings) {
    if (settings.reference_manifest.empty())
        throw std::invalid_argument("the safeguard needs its reference set R (a manifest of reference images)");
    if (!(settings.tau >= 0.0) || !std::isfinite(settings.tau))
        throw std::invalid_argument("the safeguard threshold tau must be a non-negative finite number");
    if (settings.tries < 1) throw std::invalid_argument("the safeguard needs at least one try");
}

std::vector<float> safeguardFeature(const Image& image, int size) {
    if (size < 1) throw std::invalid_argument("the safeguard feature size must be at least 1 pixel");
    std::vector<float> feature = fitImage(image, size, FitMode::Resize);
    double sum = 0.0, squares = 0.0;
    for (float v : feature) sum += v;
    const double mean = sum / feature.size();
    for (float v : feature) squares += (v - mean) * (v - mean);
    const double deviation = std::sqrt(squares / feature.size());
    for (float& v : feature) v = deviation > 0.0 ? static_cast<float>((v - mean) / deviation) : 0.0f;
    return feature;
}

std::string safeguardFeatureSpace(int size) {
    return fmt::format("display values resized to {0}x{0} (bilinear, antialiased), standardised per image "
                       "(mean 0, standard deviation 1); distance = root-mean-square difference",
                       size);
}

double rmsDistance(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size() || a.empty()) throw std::invalid_argument("features of different or zero length");
    double sum = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) sum += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    return std::sqrt(sum / a.size());
}

ReferenceSet ReferenceSet::load(const std::filesystem::path& manifest_path, int feature_size,
                                std::optional<FitMode> released_fit) {
    const Manifest manifest = Manifest::read(manifest_path);
    std::vector<std::vector<float>> features;
    std::set<std::string> hashes;
    for (std::size_t row = 0; row < manifest.size(); ++row) {
        const auto file = manifest.file(row);
        Image image = readImage(file);
        if (released_fit) {
            Image fitted = makeImage(feature_size, feature_size);
            fitted.pixels = fitImage(image, feature_size, *released_fit);
            image = std::move(fitted);
        }
        features.push_back(safeguardFeature(image, feature_size));
        hashes.insert(sha256OfFile(file));
    }
    return ReferenceSet(std::move(features), std::move(hashes), feature_size);
}

ReferenceSet::ReferenceSet(std::vector<std::vector<float>> features, std::set<std::string> file_sha256, int feature_size)
    : features_(std::move(features)), file_sha256_(std::move(file_sha256)), feature_size_(feature_size) {
    const std::size_t length = static_cast<std::size_t>(feature_size) * feature_size;
    for (const auto& f : features_)
        if (f.size() != length) throw std::invalid_argument("a reference feature does not have the set's feature size");
}

double ReferenceSet::nearestDistanceOf(const Image& image) const {
    return nearestDistance(safeguardFeature(image, feature_size_));
}

double ReferenceSet::nearestDistance(const std::vector<float>& feature) const {
    double nearest = std::numeric_limits<double>::infinity();
    for (const auto& reference : features_) nearest = std::min(nearest, rmsDistance(feature, reference));
    return nearest;
}

}  // namespace dpflow
