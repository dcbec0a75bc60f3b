#include "preview/preview_session.h"

#include "image/sha256.h"
#include "privacy/latent_mechanisms.h"
#include "privacy/safeguard_reference.h"
#include "privacy/image_space_mechanisms.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

namespace dpflow {
namespace {

double millisecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

PreviewSession::PreviewSession(ModelReference reference, RandomSource& source) : reference_(std::move(reference)), source_(source) {
    if (!reference_.model) throw std::invalid_argument("the preview needs a flow model");
}

void PreviewSession::setImage(const Image& image, const AttributeValues& truth) {
    if (image.empty()) throw std::invalid_argument("cannot preview an empty image");
    const int size = model().card().config.image_size;
    PreparedInput prepared;
    prepared.image = makeImage(size, size);
    prepared.image.pixels = model().prepare(image);
    prepared.image.stored_bits = image.stored_bits;
    prepared.image.source_path = image.source_path;
    prepared.attributes = truth;
    const auto start = std::chrono::steady_clock::now();
    prepared.latent = model().encode(prepared.image.pixels, truth);
    encode_ms_ = millisecondsSince(start);

    prepared_ = std::move(prepared);
    source_path_ = image.source_path;
    source_sha256_.reset();
    if (!image.source_sha256.empty()) source_sha256_ = image.source_sha256;  // of exactly the bytes shown
    encodings_.clear();
    encodings_[truth] = prepared_.latent;
    newNoiseDraw();
}

void PreviewSession::setTrueAttributes(const AttributeValues& truth) {
    if (!hasImage()) throw std::logic_error("no image is loaded in the preview");
    auto cached = encodings_.find(truth);
    if (cached == encodings_.end()) {
        const auto start = std::chrono::steady_clock::now();
        cached = encodings_.emplace(truth, model().encode(prepared_.image.pixels, truth)).first;
        encode_ms_ = millisecondsSince(start);
    } else {
        encode_ms_ = 0.0;
    }
    prepared_.latent = cached->second;
    prepared_.attributes = truth;
}

void PreviewSession::newNoiseDraw() {
    draw_ = UnitNoiseDraw(static_cast<std::size_t>(model().layout().total), model().card().config.attributes.size(), source_);
    ++generation_;
}

PrivatizerSettings PreviewSession::settingsFor(const PreviewRequest& request) const {
    PrivatizerSettings settings = request.settings;
    if (!isLatentMechanism(settings.mechanism.mechanism)) settings.attributes.clear();  // the panel keeps its rows for pixel/dppix
    return settings;
}

AttributeValues PreviewSession::previewAttributes(const AttributePolicy& policy) const {
    FixedAttributeDraw draw(draw_);
    return releasedValues(releaseAttributes(policy, model().card().config.attributes, prepared_.attributes, draw));
}

const std::string& PreviewSession::sourceSha256() const {
    if (!source_sha256_)
        source_sha256_ = !source_path_.empty() && std::filesystem::is_regular_file(source_path_) ? sha256OfFile(source_path_)
                                                                                                  : std::string();
    return *source_sha256_;
}

SafeguardReference PreviewSession::safeguardReference(const SafeguardSettings& settings) const {
    auto loaded = references_.find(settings.reference_manifest);
    if (loaded == references_.end())
        loaded = references_
                     .emplace(settings.reference_manifest,
                              loadSafeguardReference(settings.reference_manifest, reference_))
                     .first;
    const std::string& source_sha256 = sourceSha256();
    return SafeguardReference{&loaded->second, !source_sha256.empty() && loaded->second.containsFile(source_sha256)};
}

ModelReference PreviewSession::referenceFor(const PrivatizerSettings& settings) const {
    ModelReference reference = reference_;
    const std::string& file = settings.mechanism.allocation;
    if (settings.mechanism.mechanism == PrivacyMechanism::Allocated && !file.empty()) {
        auto loaded = allocations_.find(file);
        if (loaded == allocations_.end())
            loaded = allocations_.emplace(file, std::make_shared<const LatentAllocation>(readLatentAllocation(file))).first;
        reference.allocation = loaded->second;
    }
    return reference;
}

PreviewResult PreviewSession::render(const PreviewRequest& request) const {
    if (!hasImage()) throw std::logic_error("no image is loaded in the preview");
    const PrivatizerSettings settings = settingsFor(request);
    const Privatizer privatizer(settings, referenceFor(settings), source_);
    // Read R before decoding, so an unreadable reference set is reported without a wasted decode.
    const SafeguardReference safeguard = request.settings.safeguard ? safeguardReference(*request.settings.safeguard) : SafeguardReference{};
    const Image& original = prepared_.image;

    PreviewResult result;
    result.serial = request.serial;
    result.submitted = request.submitted;
    result.image_generation = generation_;
    result.accounting = privatizer.accounting(original.width, original.height);
    const double b = result.accounting.plan->scale;
    const auto& m = request.settings.mechanism;

    const auto start = std::chrono::steady_clock::now();
    if (isLatentMechanism(m.mechanism)) {
        // The release's mechanism steps (latent_mechanisms.h), with the fixed unit draw scaled by b as the noise.
        // An allocated release scales the same draw by each group's b_g and takes the fixed normal draw as the prior.
        const LatentNoise preview_noise = [this, b](std::size_t j, double value) { return value + b * draw_.laplace(j); };
        const LatentBox box{model().calibrationLo(), model().calibrationHi()};
        const auto& groups = result.accounting.groups;
        const LatentRelease noisy =
            m.mechanism == PrivacyMechanism::DpGlow ? applyBoxMechanism(prepared_.latent, box, *result.accounting.plan, preview_noise)
            : m.mechanism == PrivacyMechanism::Allocated
                ? applyAllocatedBoxMechanism(
                      prepared_.latent, box, AllocatedNoisePlan{groups, *result.accounting.plan},
                      [this, &groups](std::size_t g, std::size_t j, double value) {
                          return value + groups[g].plan->scale * draw_.laplace(j);
                      },
                      [this](std::size_t j) { return draw_.normal(j); })
                : applyL1BallMechanism(prepared_.latent, *result.accounting.l1_radius, *result.accounting.plan, preview_noise);
        result.input_clipped_fraction = noisy.input_clipped_fraction;
        result.output_clipped_fraction = noisy.output_clipped_fraction;
        result.released_attributes = previewAttributes(request.settings.attributes);
        result.image = makeImage(original.width, original.height);
        result.image.pixels = model().decode(decodableLatent(noisy, m.decoding), result.released_attributes);
        if (std::any_of(result.image.pixels.begin(), result.image.pixels.end(), [](float v) { return !std::isfinite(v); }))
            throw std::runtime_error("the flow decoded the noised latent to non-finite pixels: its inverse overflows for "
                                     "latents this far from its training data; try a larger eps");
    } else {
        // The release's cell mechanism (pixel is cell 1), with the fixed unit draw scaled by b as the noise.
        const int cell = m.mechanism == PrivacyMechanism::Pixel ? 1 : m.dppix_cell;
        ImageSpaceRelease noisy = applyCellMechanism(original, cell, *result.accounting.plan,
                                                     [this, b](std::size_t index, double value) { return value + b * draw_.laplace(index); });
        result.image = std::move(noisy.image);
        result.output_clipped_fraction = noisy.clipped_fraction;
    }
    result.decode_ms = millisecondsSince(start);
    result.image.stored_bits = original.stored_bits;
    result.image.warnings.push_back(kPreviewStamp);
    if (request.settings.safeguard) {
        // The same feature (R's size) and distance as Privatizer::privatize, on the image it would release.
        const SafeguardSettings& s = *request.settings.safeguard;
        SafeguardVerdict verdict;
        const ReferenceSet& reference = *safeguard.reference;
        verdict.nearest_distance = reference.nearestDistanceOf(result.image);
        verdict.tau = s.tau;
        verdict.policy = s.policy;
        verdict.tries = safeguardAccountingFactor(s);
        verdict.reference_images = reference.size();
        verdict.reference_holds_image = safeguard.holds_released_input;
        verdict.reference_public = safeguard.treatedAsPublic(s);
        result.safeguard = verdict;
    }
    return result;
}

PrivatizedImage PreviewSession::exportRelease(const PreviewRequest& request) {
    if (!hasImage()) throw std::logic_error("no image is loaded in the preview");
    const PrivatizerSettings settings = settingsFor(request);
    const SafeguardReference safeguard = settings.safeguard ? safeguardReference(*settings.safeguard) : SafeguardReference{};
    Privatizer privatizer(settings, referenceFor(settings), source_, safeguard);
    privatizer.refuseImageOfItsPublicData(sourceSha256(), source_path_.string());
    PrivatizedImage release = privatizer.privatize(prepared_);
    release.record.source_path = source_path_.string();
    release.record.source_sha256 = sourceSha256();
    return release;
}

}  // namespace dpflow
