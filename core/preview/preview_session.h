#pragma once

#include "flow/flow_model.h"
#include "image/image.h"
#include "preview/preview_request.h"
#include "preview/preview_result.h"
#include "preview/unit_noise_draw.h"
#include "privacy/nearest_neighbour_safeguard.h"
#include "privacy/privatizer.h"
#include "privacy/random_source.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dpflow {

/// The studio's engine for one open image: the image brought to the model's size and encoded
/// once (per set of true attribute values), and one fixed unit noise draw. Every request then
/// only scales that draw by the current b and decodes, so moving the eps slider costs one
/// decode. Previews are stamped and never released; exportRelease runs the real Privatizer on
/// the cached encoding with fresh secure noise. Not thread-safe: PreviewWorker serialises calls.
class PreviewSession {
public:
    /// `model` (with its name and hash in `reference`) and `source` must outlive the session.
    /// `source` is the secure source of both the preview draw and exports; a non-private source
    /// (tests) makes exports carry the NOT PRIVATE stamp as the Privatizer does.
    PreviewSession(ModelReference reference, RandomSource& source);

    /// Brings `image` to the model's size, encodes it under `truth` (the true value of every
    /// model attribute) and draws a new unit noise draw. Throws std::invalid_argument for an
    /// empty image or missing / unknown attribute values; the previous image stays loaded then.
    void setImage(const Image& image, const AttributeValues& truth);

    /// Changes the true attribute values of the loaded image; an encoding already computed for
    /// these values is reused. Throws std::logic_error without an image, std::invalid_argument
    /// for missing or unknown values.
    void setTrueAttributes(const AttributeValues& truth);

    /// Replaces the fixed unit noise draw with a fresh one from the secure source.
    void newNoiseDraw();

    bool hasImage() const { return !prepared_.image.empty(); }
    /// The image as the model sees it (model size, display values), the "original" pane.
    const Image& modelImage() const { return prepared_.image; }
    const AttributeValues& trueAttributes() const { return prepared_.attributes; }
    /// Milliseconds the last encode took (0 when the encoding came from the cache).
    double lastEncodeMilliseconds() const { return encode_ms_; }
    /// Counts setImage and newNoiseDraw calls: results carry it, so a caller can tell which
    /// image and draw a result belongs to.
    std::uint64_t generation() const { return generation_; }
    const FlowModel& model() const { return *reference_.model; }

    /// Renders the preview for `request` with the fixed draw: noise b * unit on the latent
    /// (dpglow: clipped to the box before and after; cadp: after the per-image L1 clip) or on
    /// the pixels (pixel) or cell means (dppix), protected attributes from the fixed uniforms with
    /// the same keep probabilities as randomized response. With a safeguard, the result carries
    /// its verdict on this draw, measured against the same reference set (loaded once per
    /// manifest, shared with exportRelease) in the same feature space as export. Throws
    /// std::logic_error without an image, std::invalid_argument for settings the Privatizer would
    /// refuse, ManifestError or ImageError naming the file when the reference set cannot be read,
    /// and std::runtime_error when the decode is not finite (the inverse overflowing for a latent
    /// far from the training data, e.g. at very small eps).
    PreviewResult render(const PreviewRequest& request) const;

    /// The release for `request`: the real Privatizer on the cached encoding, fresh secure noise,
    /// the safeguard (its reference set loaded once per manifest) and a ReleaseRecord with the
    /// source's path and SHA-256 filled in. Throws as Privatizer and ReferenceSet::load do.
    PrivatizedImage exportRelease(const PreviewRequest& request);

private:
    PrivatizerSettings settingsFor(const PreviewRequest& request) const;
    /// The model reference with the allocation file of `settings` read once and kept.
    ModelReference referenceFor(const PrivatizerSettings& settings) const;
    AttributeValues previewAttributes(const AttributePolicy& policy) const;
    /// R for `settings`, read on first use of its manifest and kept; a failed read is not kept.
    SafeguardReference safeguardReference(const SafeguardSettings& settings) const;
    /// SHA-256 of the open image's file (empty for an image without a readable file), computed once per image.
    const std::string& sourceSha256() const;

    ModelReference reference_;
    RandomSource& source_;
    PreparedInput prepared_;
    std::map<AttributeValues, std::vector<float>> encodings_;  ///< latent per set of true values, this image only
    std::filesystem::path source_path_;
    UnitNoiseDraw draw_;
    double encode_ms_ = 0.0;
    std::uint64_t generation_ = 0;
    // Caches filled by render() as well as exportRelease(): logically const.
    mutable std::optional<std::string> source_sha256_;
    mutable std::map<std::filesystem::path, ReferenceSet> references_;
    mutable std::map<std::string, std::shared_ptr<const LatentAllocation>> allocations_;  ///< by file, read once
};

}  // namespace dpflow
