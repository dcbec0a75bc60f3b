#pragma once

#include "flow/preprocessing.h"
#include "image/image.h"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dpflow {

/// M5: what to do when a released image lies closer than tau to an image of the reference set.
enum class SafeguardPolicy {
    Withhold,  ///< release nothing for this image (post-processing when R is public: eps unchanged)
    Resample,  ///< draw again, at most `tries` times in all; accounted tries * eps (docs/privacy-implementation.md)
};

/// "withhold" / "resample"; parseSafeguardPolicy throws std::invalid_argument for other names.
std::string safeguardPolicyName(SafeguardPolicy policy);
SafeguardPolicy parseSafeguardPolicy(const std::string& name);

/// The M5 safeguard as the user configured it.
struct SafeguardSettings {
    std::filesystem::path reference_manifest;  ///< R: a manifest of reference images
    double tau = 0.0;                          ///< release only when the nearest distance is >= tau
    SafeguardPolicy policy = SafeguardPolicy::Withhold;
    int tries = 1;                  ///< resample: at most this many draws (>= 1; 1 is withhold)
    bool reference_public = false;  ///< the user asserts R holds only public images (e.g. the flow's training set)
};

/// The factor on eps_total: 1 for withhold, `tries` for resample (every try is a fresh run of
/// the eps-DP mechanism and a failure of all of them is disclosed).
int safeguardAccountingFactor(const SafeguardSettings& settings);

/// What the safeguard costs and whether it keeps the guarantee, for `--explain`, in words.
std::string explainSafeguard(const SafeguardSettings& settings);

/// Throws std::invalid_argument for no reference manifest, tau that is negative or not finite, or tries < 1.
void validateSafeguardSettings(const SafeguardSettings& settings);

/// The feature of an image in which distances are measured: the image resized (bilinear,
/// antialiased) to size x size, then standardised on its own (mean 0, standard deviation 1;
/// a constant image becomes all zeros). Standardising per image makes the distance ignore
/// global brightness and contrast, which the mechanisms change without making an image less
/// identifiable. Throws std::invalid_argument for an empty image or size < 1.
std::vector<float> safeguardFeature(const Image& image, int size);

/// Sentence naming the feature space and distance for a given size, recorded with every release.
std::string safeguardFeatureSpace(int size);

/// Root-mean-square difference of two features of equal length.
double rmsDistance(const std::vector<float>& a, const std::vector<float>& b);

/// R: the reference images' features and their files' SHA-256, loaded once per batch.
class ReferenceSet {
public:
    /// Reads every row of `manifest` (all splits). `released_fit` is how the released images
    /// were brought to feature_size x feature_size (the model's fit mode); each reference image
    /// is brought there the same way first, so that a padded release lines up with its padded
    /// reference. Without it (no model) references are only resized, as safeguardFeature does.
    /// Throws ManifestError, or ImageError naming the file when a reference image cannot be
    /// read: a safeguard with holes would pass images it should stop.
    static ReferenceSet load(const std::filesystem::path& manifest, int feature_size,
                             std::optional<FitMode> released_fit = std::nullopt);

    /// A reference set from images in memory (with their content hashes), e.g. for the studio.
    ReferenceSet(std::vector<std::vector<float>> features, std::set<std::string> file_sha256, int feature_size);

    /// Distance from `feature` to the nearest reference image (infinity for an empty set).
    double nearestDistance(const std::vector<float>& feature) const;

    /// Distance from `image` to the nearest reference image, in the recorded feature space
    /// (safeguardFeature at featureSize()): what the safeguard compares with tau, for a release
    /// and for the studio's preview alike.
    double nearestDistanceOf(const Image& image) const;

    /// True when a file with this SHA-256 is in R: R then holds a private image being released.
    bool containsFile(const std::string& sha256) const { return file_sha256_.count(sha256) > 0; }

    std::size_t size() const { return features_.size(); }
    int featureSize() const { return feature_size_; }

private:
    std::vector<std::vector<float>> features_;
    std::set<std::string> file_sha256_;
    int feature_size_;
};

}  // namespace dpflow
