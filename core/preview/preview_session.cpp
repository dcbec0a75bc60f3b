#include "preview/preview_session.h"

#include "image/sha256.h"
#include "privacy/latent_mechanisms.h"
#include "privacy/safeguard_reference.h"
#include "privacy/randomized_response.h"

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
    PrivatizerSettings settings;
    settings.mechanism = request.mechanism;
    if (isLatentMechanism(request.mechanism.mechanism)) settings.attributes = request.attributes;
    settings.safeguard = request.safeguard;
    return settings;
}

AttributeValues PreviewSession::previewAttributes(const AttributePolicy& policy) const {
    AttributeValues released;
    const auto& attributes = model().card().config.attributes;
    for (std::size_t k = 0; k < attributes.size(); ++k) {
        const FlowAttribute& attribute = attributes[k];
        const ReleasedAttribute treatment = describeAttributeTreatment(policy, attribute);
        const std::string& truth = prepared_.attributes.at(attribute.name);
        const int count = static_cast<int>(attribute.values.size());
        const int true_index =
            static_cast<int>(std::find(attribute.values.begin(), attribute.values.end(), truth) - attribute.values.begin());
        const double u = draw_.attributeUniform(k);
        int index = true_index;
        if (treatment.protect && treatment.epsilon == 0.0) {
            index = std::min(count - 1, static_cast<int>(u * count));
        } else if (treatment.protect && count > 1) {
            // The same keep probability as randomized response, decided by the fixed uniform so
            // the preview only changes where eps_k crosses it.
            const double keep = randomizedResponseKeepProbability(count, treatment.epsilon);
            if (u >= keep) {
                const int other = std::min(count - 2, static_cast<int>((u - keep) / (1.0 - keep) * (count - 1)));
                index = other < true_index ? other : other + 1;
            }
        }
        released[attribute.name] = attribute.values[index];
    }
    return released;
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

PreviewResult PreviewSession::render(const PreviewRequest& request) const {
    if (!hasImage()) throw std::logic_error("no image is loaded in the preview");
    const Privatizer privatizer(settingsFor(request), reference_, source_);
    // Read R before decoding, so an unreadable reference set is reported without a wasted decode.
    const SafeguardReference safeguard = request.safeguard ? safeguardReference(*request.safeguard) : SafeguardReference{};
    const Image& original = prepared_.image;

    PreviewResult result;
    result.serial = request.serial;
    result.submitted = request.submitted;
    result.image_generation = generation_;
    result.accounting = privatizer.accounting(original.width, original.height);
    const double b = result.accounting.plan->scale;
    const auto& m = request.mechanism;

    const auto start = std::chrono::steady_clock::now();
    if (isLatentMechanism(m.mechanism)) {
        // The release's mechanism steps (latent_mechanisms.h), with the fixed unit draw scaled by b as the noise.
        const LatentNoise preview_noise = [this, b](std::size_t j, double value) { return value + b * draw_.laplace(j); };
        const LatentRelease noisy =
            m.mechanism == PrivacyMechanism::DpGlow
                ? applyBoxMechanism(prepared_.latent, LatentBox{model().calibrationLo(), model().calibrationHi()},
                                    *result.accounting.plan, preview_noise)
                : applyL1BallMechanism(prepared_.latent, *result.accounting.l1_radius, *result.accounting.plan, preview_noise);
        result.input_clipped_fraction = noisy.input_clipped_fraction;
        result.output_clipped_fraction = noisy.output_clipped_fraction;
        result.released_attributes = previewAttributes(request.attributes);
        result.image = makeImage(original.width, original.height);
        result.image.pixels = model().decode(decodableLatent(noisy, m.decoding), result.released_attributes);
        if (std::any_of(result.image.pixels.begin(), result.image.pixels.end(), [](float v) { return !std::isfinite(v); }))
            throw std::runtime_error("the flow decoded the noised latent to non-finite pixels: its inverse overflows for "
                                     "latents this far from its training data; try a larger eps");
    } else {
        result.image = makeImage(original.width, original.height);
        const int cell = m.mechanism == PrivacyMechanism::Pixel ? 1 : m.dppix_cell;
        const int cells_x = (original.width + cell - 1) / cell;
        const int cells_y = (original.height + cell - 1) / cell;
        std::size_t clipped = 0, index = 0;
        for (int cy = 0; cy < cells_y; ++cy) {
            for (int cx = 0; cx < cells_x; ++cx, ++index) {
                const int x0 = cx * cell, y0 = cy * cell;
                const int x1 = std::min(x0 + cell, original.width), y1 = std::min(y0 + cell, original.height);
                double sum = 0.0;
                for (int y = y0; y < y1; ++y)
                    for (int x = x0; x < x1; ++x) sum += original.at(x, y);
                const double value = sum / ((x1 - x0) * (y1 - y0)) + b * draw_.laplace(index);
                clipped += value < 0.0 || value > 1.0;
                const float shown = static_cast<float>(std::clamp(value, 0.0, 1.0));
                for (int y = y0; y < y1; ++y)
                    for (int x = x0; x < x1; ++x) result.image.at(x, y) = shown;
            }
        }
        result.output_clipped_fraction = static_cast<double>(clipped) / index;
    }
    result.decode_ms = millisecondsSince(start);
    result.image.stored_bits = original.stored_bits;
    result.image.warnings.push_back(kPreviewStamp);
    if (request.safeguard) {
        // The same feature (R's size) and distance as Privatizer::privatize, on the image it would release.
        const SafeguardSettings& s = *request.safeguard;
        SafeguardVerdict verdict;
        const ReferenceSet& reference = *safeguard.reference;
        verdict.nearest_distance = reference.nearestDistance(safeguardFeature(result.image, reference.featureSize()));
        verdict.tau = s.tau;
        verdict.policy = s.policy;
        verdict.tries = safeguardAccountingFactor(s);
        verdict.reference_images = reference.size();
        verdict.reference_holds_image = safeguard.holds_released_input;
        verdict.reference_public = s.reference_public && !safeguard.holds_released_input;
        result.safeguard = verdict;
    }
    return result;
}

PrivatizedImage PreviewSession::exportRelease(const PreviewRequest& request) {
    if (!hasImage()) throw std::logic_error("no image is loaded in the preview");
    const PrivatizerSettings settings = settingsFor(request);
    const SafeguardReference safeguard = settings.safeguard ? safeguardReference(*settings.safeguard) : SafeguardReference{};
    Privatizer privatizer(settings, reference_, source_, safeguard);
    PrivatizedImage release = privatizer.privatize(prepared_);
    release.record.source_path = source_path_.string();
    release.record.source_sha256 = sourceSha256();
    return release;
}

}  // namespace dpflow
