#include "privacy/privatizer.h"

#include "privacy/image_space_mechanisms.h"
#include "privacy/latent_mechanisms.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dpflow {
namespace {

const std::vector<FlowAttribute> kNoAttributes;

}  // namespace

Privatizer::Privatizer(PrivatizerSettings settings, ModelReference model, RandomSource& source, SafeguardReference reference)
    : settings_(std::move(settings)), model_(std::move(model)), source_(source), reference_(reference) {
    validateMechanismSettings(settings_.mechanism);
    const auto& mechanism = settings_.mechanism.mechanism;
    if (isLatentMechanism(mechanism)) {
        if (!model_.model) throw std::invalid_argument(mechanismName(mechanism) + " works in a flow's latent space: give --model");
        if ((mechanism == PrivacyMechanism::DpGlow || mechanism == PrivacyMechanism::Allocated) &&
            !model_.model->card().hasCalibration())
            throw std::invalid_argument("model " + model_.name + " has no latent calibration (its card names no calibration set); " +
                                        mechanismName(mechanism) +
                                        " needs bounds calibrated on public training data: retrain it with `dpflow train`, "
                                        "or use --mechanism cadp, which needs no calibration");
        if (mechanism == PrivacyMechanism::Allocated) {
            allocation_ = model_.allocation;
            if (!allocation_) {
                if (settings_.mechanism.allocation.empty())
                    throw std::invalid_argument("allocated spends the budget as an allocation file says: give --allocation "
                                                "FILE (`dpflow allocate` computes one from public data)");
                allocation_ = std::make_shared<const LatentAllocation>(readLatentAllocation(settings_.mechanism.allocation));
            }
            validateLatentAllocation(*allocation_, static_cast<std::size_t>(model_.model->layout().total), model_.sha256);
        }
        validateAttributePolicy(settings_.attributes, model_.model->card().config.attributes);
    } else if (!settings_.attributes.empty()) {
        throw std::invalid_argument(mechanismName(mechanism) +
                                    " releases pixels only, no attributes: remove --keep and --protect");
    }
    if (settings_.safeguard) validateSafeguardSettings(*settings_.safeguard);
}

void Privatizer::refuseImageOfItsPublicData(const std::string& source_sha256, const std::string& source_name) const {
    if (allocation_ && !source_sha256.empty() && allocation_->computedFromImage(source_sha256))
        throw std::invalid_argument(source_name + " is one of the public images the allocation " + allocation_->file_name +
                                    " was computed from: releasing it under that allocation would make the budget's "
                                    "split depend on the image released, which voids the guarantee. Release it with "
                                    "dpglow, or with an allocation computed without it");
}

int Privatizer::modelSize() const { return model_.model ? model_.model->card().config.image_size : 0; }

PreparedInput Privatizer::prepare(const Image& image, const AttributeValues& attributes) const {
    PreparedInput input;
    input.attributes = attributes;
    if (!model_.model) {
        if (image.empty()) throw std::invalid_argument("cannot privatize an empty image");
        input.image = image;
        return input;
    }
    const int size = modelSize();
    input.image = makeImage(size, size);
    input.image.pixels = model_.model->prepare(image);
    input.image.stored_bits = image.stored_bits;
    if (isLatentMechanism(settings_.mechanism.mechanism)) {
        for (const auto& attribute : model_.model->card().config.attributes)
            if (!attributes.count(attribute.name))
                throw std::invalid_argument("the model encodes under attribute '" + attribute.name +
                                            "' and no value was given for it");
        input.latent = model_.model->encode(input.image.pixels, attributes);
    }
    return input;
}

Privatizer::Attempt Privatizer::attempt(const PreparedInput& input) {
    const auto& m = settings_.mechanism;
    Attempt a;
    if (isLatentMechanism(m.mechanism)) {
        a.attributes = releaseAttributes(settings_.attributes, model_.model->card().config.attributes, input.attributes, source_);
        const LatentBox box{model_.model->calibrationLo(), model_.model->calibrationHi()};
        const LatentRelease latent =
            m.mechanism == PrivacyMechanism::DpGlow ? privatizeLatentInBox(input.latent, box, m.epsilon, source_)
            : m.mechanism == PrivacyMechanism::Allocated
                ? privatizeLatentAllocated(input.latent, box, planAllocatedNoise(box, *allocation_, m.epsilon), source_)
                : privatizeLatentInL1Ball(input.latent, m.l1_radius.value_or(defaultL1Radius(input.latent.size())),
                                          m.epsilon, source_);
        a.plan = latent.plan;
        a.input_clipped_fraction = latent.input_clipped_fraction;
        a.input_scale_factor = latent.input_scale_factor;
        a.output_clipped_fraction = latent.output_clipped_fraction;
        a.image = makeImage(input.image.width, input.image.height);
        a.image.pixels = model_.model->decode(decodableLatent(latent, m.decoding), releasedValues(a.attributes));
        a.finite = std::all_of(a.image.pixels.begin(), a.image.pixels.end(), [](float v) { return std::isfinite(v); });
        a.image.stored_bits = input.image.stored_bits;
    } else {
        const ImageSpaceRelease pixels =
            m.mechanism == PrivacyMechanism::Pixel
                ? privatizePixels(input.image, m.epsilon, source_)
                : privatizeDpPix(input.image, m.dppix_cell, m.dppix_neighbourhood, m.epsilon, source_);
        a.plan = pixels.plan;
        a.output_clipped_fraction = pixels.clipped_fraction;
        a.image = pixels.image;
    }
    return a;
}

PrivatizedImage Privatizer::privatize(const PreparedInput& input) {
    if (settings_.safeguard && !reference_.reference)
        throw std::logic_error("the safeguard's reference set was not loaded before privatizing");
    PrivatizedImage result;
    ReleaseRecord& record = result.record;
    record.randomness = source_.name();
    record.not_private = !source_.isPrivate();
    record.model_name = model_.name;
    record.model_sha256 = model_.sha256;
    if (model_.model) record.model_calibration_set = model_.model->card().calibration_set;
    record.accounting = accounting(input.image.width, input.image.height);
    if (settings_.mechanism.mechanism == PrivacyMechanism::DpPix) {
        record.dppix_cell = settings_.mechanism.dppix_cell;
        record.dppix_neighbourhood = settings_.mechanism.dppix_neighbourhood;
    }

    const auto& safeguard = settings_.safeguard;
    const int tries = safeguard ? safeguardAccountingFactor(*safeguard) : 1;
    if (safeguard) {
        auto& s = record.safeguard;
        s.configured = true;
        s.reference_manifest = safeguard->reference_manifest.string();
        s.reference_images = reference_.reference->size();
        s.feature_space = safeguardFeatureSpace(reference_.reference->featureSize());
        s.tau = safeguard->tau;
        s.policy = safeguardPolicyName(safeguard->policy);
        s.tries_allowed = tries;
        s.reference_public = reference_.treatedAsPublic(*safeguard);
        s.reference_status = reference_.holds_released_input
                                 ? "private: it contains a file being released (same SHA-256)"
                             : safeguard->reference_public ? "public, as asserted with --reference-public"
                                                           : "private: not asserted public with --reference-public";
    }
    for (int t = 0; t < tries; ++t) {
        Attempt a = attempt(input);
        record.attributes = a.attributes;
        record.accounting.plan = a.plan;
        record.input_clipped_fraction = a.input_clipped_fraction;
        record.input_scale_factor = a.input_scale_factor;
        record.output_clipped_fraction = a.output_clipped_fraction;
        if (!a.finite) {
            // Whether the decode overflowed depends on the noise, so the attempt is accounted like a
            // release and withheld; it is not redrawn, which would spend eps again.
            record.withheld_reason = kWithheldNonFiniteDecode;
            break;
        }
        if (safeguard) {
            const double distance = reference_.reference->nearestDistanceOf(a.image);
            record.safeguard.distances.push_back(distance);
            if (distance < safeguard->tau) continue;
            record.safeguard.passed = true;
        }
        result.image = std::move(a.image);
        break;
    }
    record.withheld = !result.image;
    if (record.withheld && record.withheld_reason.empty()) record.withheld_reason = kWithheldBySafeguard;
    describeGuarantee(record);
    return result;
}

void Privatizer::describeGuarantee(ReleaseRecord& record) const {
    const auto& a = record.accounting;
    if (record.not_private) {
        record.guarantee_holds = false;
        record.guarantee = std::string(kNotPrivateStamp) + ": the noise came from '" + record.randomness +
                           "', a repeatable test generator; this is not a private release and no guarantee holds";
        return;
    }
    if (record.safeguard.configured && !record.safeguard.reference_public) {
        record.guarantee_holds = false;
        record.guarantee = "The formal differential-privacy guarantee no longer holds for this image: the safeguard "
                           "compared it with a reference set that is " + record.safeguard.reference_status +
                           ", so whether it was released depends on private data. The epsilon figures describe the "
                           "noise only.";
        return;
    }
    record.guarantee_holds = true;
    std::string kept;
    for (const auto& attribute : a.attributes)
        if (!attribute.protect) kept += (kept.empty() ? "" : ", ") + attribute.name;
    switch (a.mechanism) {
        case PrivacyMechanism::DpGlow:
        case PrivacyMechanism::Cadp:
        case PrivacyMechanism::Allocated:
            record.guarantee = fmt::format("{:.17g}-local differential privacy for the whole image and its protected "
                                           "attributes: any image may replace any other",
                                           a.epsilon_total);
            if (a.mechanism == PrivacyMechanism::Allocated)
                record.guarantee += fmt::format("; eps_latent is the sum of the eps_g of the allocation {} (SHA-256 {}), "
                                                "computed from public data only",
                                                a.allocation_file, a.allocation_sha256);
            if (!kept.empty()) record.guarantee += "; the kept attributes (" + kept + ") are disclosed exactly";
            break;
        case PrivacyMechanism::Pixel:
            record.guarantee = fmt::format("{:.17g}-local differential privacy for the whole image: any image of the "
                                           "same size may replace any other",
                                           a.epsilon_total);
            break;
        case PrivacyMechanism::DpPix:
            record.guarantee = fmt::format("{:.17g}-differential privacy only between images that differ in at most {} "
                                           "pixels (Fan 2018); images that differ in more pixels are not covered",
                                           a.epsilon_total, settings_.mechanism.dppix_neighbourhood);
            break;
    }
    if (record.safeguard.configured)
        record.guarantee += record.safeguard.policy == "withhold"
                                ? "; the safeguard's public reference set makes withholding post-processing"
                                : fmt::format("; resampling with at most {} tries is accounted as {} times the budget",
                                              a.safeguard_factor, a.safeguard_factor);
}

ReleaseAccounting Privatizer::accounting(int width, int height) const {
    const auto& m = settings_.mechanism;
    if (m.mechanism == PrivacyMechanism::Allocated) {
        const LatentBox box{model_.model->calibrationLo(), model_.model->calibrationHi()};
        const AllocatedNoisePlan plan = planAllocatedNoise(box, *allocation_, m.epsilon);
        ReleaseAccounting accounting = accountRelease(m, plan.summary, settings_.attributes, model_.model->card().config.attributes,
                                                      settings_.safeguard ? safeguardAccountingFactor(*settings_.safeguard) : 1);
        describeAllocation(accounting, plan, *allocation_);
        return accounting;
    }
    const std::size_t dimension = static_cast<std::size_t>(width) * height;
    const double box = m.mechanism == PrivacyMechanism::DpGlow
                           ? LatentBox{model_.model->calibrationLo(), model_.model->calibrationHi()}.l1Sensitivity()
                           : 0.0;
    return accountRelease(m, mechanismNoisePlan(m, dimension, box, width, height), settings_.attributes,
                          model_.model && isLatentMechanism(m.mechanism) ? model_.model->card().config.attributes : kNoAttributes,
                          settings_.safeguard ? safeguardAccountingFactor(*settings_.safeguard) : 1);
}

ReleaseAccounting Privatizer::accountingWithoutImage() const {
    if (model_.model) return accounting(modelSize(), modelSize());
    return accountRelease(settings_.mechanism, std::nullopt, settings_.attributes, kNoAttributes,
                          settings_.safeguard ? safeguardAccountingFactor(*settings_.safeguard) : 1);
}

}  // namespace dpflow
