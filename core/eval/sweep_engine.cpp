#include "eval/sweep_engine.h"

#include "eval/binary_classifier.h"
#include "eval/classifier_score_features.h"
#include "eval/image_similarity.h"
#include "eval/patient_embedding.h"
#include "eval/pixel_features.h"
#include "eval/reidentification.h"
#include "eval/roc_auc.h"
#include "eval/sweep_cache.h"
#include "flow/flow_model.h"
#include "flow/preprocessing.h"
#include "image/image_reader.h"
#include "image/manifest.h"
#include "image/sha256.h"
#include "privacy/privatizer.h"
#include "privacy/random_source.h"
#include "privacy/utc_time.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>

namespace dpflow {
namespace {

constexpr int kPixelAttackSize = 32;  // as `dpflow reid`: coarse enough to ignore noise texture
constexpr std::size_t kProtocolBValidationStride = 7;

using Clock = std::chrono::steady_clock;

// One manifest row as the sweep uses it.
struct StudyImage {
    Image image;
    int label = 0;
    AttributeValues attributes;
    std::string patient;
};

// Counts work units and reports progress with ETA.
class ProgressMeter {
public:
    ProgressMeter(std::size_t total, SweepProgressCallback callback, SweepCancelCheck is_cancelled)
        : total_(total), callback_(std::move(callback)), is_cancelled_(std::move(is_cancelled)), start_(Clock::now()) {}

    /// Counts finished units and reports them; throws SweepCancelled when the caller asked to stop,
    /// so the next unit is never started.
    void advance(const std::string& stage, std::size_t units = 1) {
        if (is_cancelled_ && is_cancelled_()) throw SweepCancelled();
        done_ += units;
        if (!callback_) return;
        SweepProgress progress;
        progress.stage = stage;
        progress.done = done_;
        progress.total = total_;
        progress.elapsed_seconds = std::chrono::duration<double>(Clock::now() - start_).count();
        // The rate leaves out one-off stages (the embedding attacker's training), which would
        // otherwise inflate every later estimate.
        const double counted = progress.elapsed_seconds - uncounted_seconds_;
        progress.eta_seconds =
            done_ == 0 ? 0.0 : counted / static_cast<double>(done_) * static_cast<double>(total_ - std::min(done_, total_));
        callback_(progress);
    }

    /// Reports a one-off stage that is not counted in units (its own ETA), and keeps its time
    /// out of the rate: call with done == 0 when it starts and done == total when it ends.
    void oneOff(const std::string& stage, std::size_t done, std::size_t total) {
        if (is_cancelled_ && is_cancelled_()) throw SweepCancelled();
        const double now = elapsedSeconds();
        if (done == 0) one_off_start_ = now;
        if (done == total) uncounted_seconds_ += now - one_off_start_;
        if (!callback_) return;
        const double spent = now - one_off_start_;
        const double stage_left = done == 0 ? 0.0 : spent / static_cast<double>(done) * static_cast<double>(total - done);
        const double units_left = done_ == 0 ? 0.0
                                             : (now - uncounted_seconds_ - (done == total ? 0.0 : spent)) /
                                                   static_cast<double>(done_) * static_cast<double>(total_ - std::min(done_, total_));
        callback_({stage + fmt::format(" (step {}/{})", done, total), done_, total_, now, stage_left + units_left});
    }

    double elapsedSeconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

private:
    std::size_t total_;
    std::size_t done_ = 0;
    double uncounted_seconds_ = 0.0;
    double one_off_start_ = 0.0;
    SweepProgressCallback callback_;
    SweepCancelCheck is_cancelled_;
    Clock::time_point start_;
};

std::vector<StudyImage> loadStudyImages(const Manifest& manifest, const std::vector<std::size_t>& rows,
                                        const std::string& label_column, const std::vector<FlowAttribute>& attributes,
                                        const std::string& patient_column, const std::filesystem::path& manifest_path) {
    if (!manifest.hasColumn(label_column))
        throw std::invalid_argument(manifest_path.string() + " has no label column '" + label_column +
                                    "' (give --label-column)");
    for (const FlowAttribute& attribute : attributes)
        if (!manifest.hasColumn(attribute.name))
            throw std::invalid_argument(manifest_path.string() + " has no column '" + attribute.name +
                                        "', an attribute of the model: every image must be encoded under its true value");
    std::vector<StudyImage> images;
    images.reserve(rows.size());
    for (std::size_t row : rows) {
        StudyImage entry;
        entry.image = readImage(manifest.file(row));
        const std::string& label = manifest.value(row, label_column);
        if (label != "0" && label != "1")
            throw std::invalid_argument(manifest_path.string() + ": label '" + label + "' of " +
                                        manifest.value(row, "file") + " is not 0 or 1");
        entry.label = label == "1" ? 1 : 0;
        for (const FlowAttribute& attribute : attributes)
            entry.attributes[attribute.name] = manifest.value(row, attribute.name);
        if (!patient_column.empty()) entry.patient = manifest.value(row, patient_column);
        images.push_back(std::move(entry));
    }
    return images;
}

// The central width x height part of a padded model-size image: undoes fit "pad".
Image cropCentre(const Image& image, int width, int height) {
    if (image.width == width && image.height == height) return image;
    Image out = makeImage(width, height);
    const int x0 = (image.width - width) / 2, y0 = (image.height - height) / 2;
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) out.at(x, y) = image.at(x + x0, y + y0);
    return out;
}

// Brings a working (model-size) image back to what is scored: the source size when the model
// padded it, else as it is.
Image scoredImage(const Image& working, const Image& source, const FlowModel* model) {
    if (model && model->card().fit == FitMode::Pad && (source.width < working.width || source.height < working.height))
        return cropCentre(working, source.width, source.height);
    return working;
}

std::optional<SweepAuc> aucOf(const std::vector<double>& scores, const std::vector<int>& labels) {
    try {
        const AucEstimate estimate = delongAuc(scores, labels);
        return SweepAuc{estimate.auc, estimate.ci_low, estimate.ci_high, estimate.positives, estimate.negatives};
    } catch (const std::invalid_argument&) {
        return std::nullopt;  // one class only among these cases: no AUC exists
    }
}


// Gallery (first image of each patient) and probes (their other images), positions in the
// selected test images.
struct ReidentificationSets {
    std::vector<std::size_t> gallery;
    std::vector<std::size_t> probes;
};

ReidentificationSets reidentificationSets(const std::vector<StudyImage>& images, const std::string& patient_column) {
    ReidentificationSets sets;
    std::map<std::string, bool> seen;
    for (std::size_t i = 0; i < images.size(); ++i) {
        if (seen.emplace(images[i].patient, true).second)
            sets.gallery.push_back(i);
        else
            sets.probes.push_back(i);
    }
    if (sets.probes.size() < 2 || sets.gallery.size() < 2)
        throw std::invalid_argument("re-identification needs at least two patients (column '" + patient_column +
                                    "') and two images beyond each patient's first among the selected test images; "
                                    "raise --max-images or leave out --reid");
    return sets;
}

// The attackers' feature extractors.
class Attackers {
public:
    Attackers(const FlowModel* model, const BinaryClassifier* classifier, PatientEmbedding embedding,
              std::optional<PatientEmbedding> linkage_embedding)
        : model_(model), classifier_(classifier), embedding_(std::move(embedding)),
          linkage_embedding_(std::move(linkage_embedding)) {}

    /// Whether `attacker` uses other features in the linkage protocol than in identification.
    bool hasLinkageFeatures(SweepAttacker attacker) const {
        return attacker == SweepAttacker::Embedding && linkage_embedding_.has_value();
    }

    IdentityFeatures features(SweepAttacker attacker, bool linkage, const std::vector<const Image*>& images,
                              const std::vector<const AttributeValues*>& attributes,
                              const std::vector<std::string>& identities) const {
        IdentityFeatures out;
        out.identities = identities;
        const auto copies = [&images] {
            std::vector<Image> out;
            for (const Image* image : images) out.push_back(*image);
            return out;
        };
        if (attacker == SweepAttacker::Pixel) {
            for (const Image* image : images) out.features.push_back(normalisedPixelFeatures(*image, kPixelAttackSize));
        } else if (attacker == SweepAttacker::Embedding) {
            out.features = (linkage && linkage_embedding_ ? *linkage_embedding_ : embedding_).embed(copies());
        } else if (attacker == SweepAttacker::Score) {
            out.features = classifierScoreFeatures(*classifier_, copies());
        } else {
            std::vector<float> pixels;
            std::vector<AttributeValues> values;
            for (std::size_t i = 0; i < images.size(); ++i) {
                const std::vector<float> fitted = model_->prepare(*images[i]);
                pixels.insert(pixels.end(), fitted.begin(), fitted.end());
                values.push_back(*attributes[i]);
            }
            const std::vector<float> latents = model_->encodeBatch(pixels, values);
            const std::size_t dimension = latents.size() / images.size();
            for (std::size_t i = 0; i < images.size(); ++i)
                out.features.emplace_back(latents.begin() + i * dimension, latents.begin() + (i + 1) * dimension);
        }
        return out;
    }

    static FeatureSimilarity similarity(SweepAttacker attacker) {
        // The standardised latent has a meaningful scale (N(0,1) per element): distance, not angle.
        // A single number has no angle: the score attacker compares logits by their difference.
        return attacker == SweepAttacker::Latent || attacker == SweepAttacker::Score ? FeatureSimilarity::Euclidean
                                                                                     : FeatureSimilarity::Cosine;
    }

private:
    const FlowModel* model_;
    const BinaryClassifier* classifier_;
    PatientEmbedding embedding_;
    std::optional<PatientEmbedding> linkage_embedding_;
};

// One attacker's gallery features in both protocols (the same unless it has linkage features).
struct GalleryFeatures {
    IdentityFeatures identification;
    IdentityFeatures linkage;
};

// The attackers' features of the gallery (originals): computed once, matched at every point.
std::vector<GalleryFeatures> galleryFeatures(const Attackers& attackers, const std::vector<StudyImage>& study,
                                             const ReidentificationSets& sets) {
    std::vector<const Image*> images;
    std::vector<const AttributeValues*> attributes;
    std::vector<std::string> ids;
    for (std::size_t i : sets.gallery) {
        images.push_back(&study[i].image);
        attributes.push_back(&study[i].attributes);
        ids.push_back(study[i].patient);
    }
    std::vector<GalleryFeatures> out;
    for (SweepAttacker attacker : kSweepAttackers) {
        GalleryFeatures features;
        features.identification = attackers.features(attacker, false, images, attributes, ids);
        features.linkage = attackers.hasLinkageFeatures(attacker) ? attackers.features(attacker, true, images, attributes, ids)
                                                                 : features.identification;
        out.push_back(std::move(features));
    }
    return out;
}

// One version of every selected test image (a privatization draw, or the originals), with the
// attribute values each was decoded under; positions as in the study.
struct ProbeDraw {
    std::vector<const Image*> images;
    std::vector<const AttributeValues*> attributes;
};

// Runs the attackers against `gallery` (from galleryFeatures, in kSweepAttackers order)
// with probes = every draw's images at the probe positions (identification) and at the gallery
// positions (linkage).
void attack(const Attackers& attackers, const std::vector<GalleryFeatures>& gallery, const std::vector<StudyImage>& study,
            const ReidentificationSets& sets, const std::vector<ProbeDraw>& draws, const std::vector<int>& strata,
            SweepRow& row) {
    // What the attacker knows besides the pixels: the disclosed values of every probe (each draw of
    // a film shares them) and of every gallery film.
    const auto disclosedAt = [&](const std::vector<std::size_t>& positions) {
        DisclosedStrata out;
        for (std::size_t i : sets.gallery) out.gallery.push_back(strata[i]);
        for (std::size_t d = 0; d < draws.size(); ++d)
            for (std::size_t i : positions) out.probes.push_back(strata[i]);
        return out;
    };
    const DisclosedStrata identification_strata = disclosedAt(sets.probes), linkage_strata = disclosedAt(sets.gallery);
    auto probesAt = [&](SweepAttacker attacker, bool linkage, const std::vector<std::size_t>& positions) {
        std::vector<const Image*> images;
        std::vector<const AttributeValues*> attributes;
        std::vector<std::string> ids;
        for (const ProbeDraw& draw : draws)
            for (std::size_t i : positions) {
                images.push_back(draw.images[i]);
                attributes.push_back(draw.attributes[i]);
                ids.push_back(study[i].patient);
            }
        return attackers.features(attacker, linkage, images, attributes, ids);
    };
    for (std::size_t a = 0; a < std::size(kSweepAttackers); ++a) {
        const SweepAttacker attacker = kSweepAttackers[a];
        SweepAttackerFigures& figures = attackerFigures(row, attacker);
        // Probes are draw-major: probe p is film p % films of its protocol.
        const auto judged = [&](const ReidentificationResult& result, std::size_t films) {
            SweepAttackFigures out = attackFiguresOf(result);
            std::set<std::size_t> hit_films;
            for (std::size_t p = 0; p < result.hit.size(); ++p)
                if (result.hit[p]) hit_films.insert(p % films);
            out.films_hit = hit_films.size();
            return out;
        };
        figures.identification = judged(matchIdentities(gallery[a].identification, probesAt(attacker, false, sets.probes),
                                                        Attackers::similarity(attacker), &identification_strata),
                                        sets.probes.size());
        figures.linkage = judged(matchIdentities(gallery[a].linkage, probesAt(attacker, true, sets.gallery),
                                                 Attackers::similarity(attacker), &linkage_strata),
                                 sets.gallery.size());
    }
}

// Seed of one (mechanism, eps) point: FNV-1a of the settings' seed, the name and the exact eps.
std::uint64_t pointSeed(std::uint64_t seed, const std::string& mechanism, double epsilon) {
    char eps[40];
    std::snprintf(eps, sizeof eps, "%a", epsilon);
    const std::string text = std::to_string(seed) + "|" + mechanism + "|" + eps;
    std::uint64_t hash = 1469598103934665603ull;
    for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
    return hash;
}

// Every mechanism of the settings in order, allocated once per allocation file.
std::vector<MechanismChoice> sweptMechanisms(const SweepSettings& settings) {
    std::vector<PrivacyMechanism> mechanisms;
    for (const std::string& name : settings.mechanisms) mechanisms.push_back(parseMechanism(name));
    return mechanismChoices(mechanisms, settings.allocations, settings.model_path);
}

// The flow attribute whose value decides the label on these films (each of its values seen with
// one label only, and both labels seen), or "" when none does: a flow conditioned on it is
// conditioned on the label, under whatever name.
std::string attributeCarryingTheLabel(const std::vector<StudyImage>& films, const std::vector<FlowAttribute>& attributes) {
    std::set<int> labels;
    for (const StudyImage& film : films) labels.insert(film.label);
    if (labels.size() < 2) return "";
    for (const FlowAttribute& attribute : attributes) {
        std::map<std::string, std::set<int>> labels_of_value;
        for (const StudyImage& film : films) labels_of_value[film.attributes.at(attribute.name)].insert(film.label);
        if (std::all_of(labels_of_value.begin(), labels_of_value.end(), [](const auto& entry) { return entry.second.size() == 1; }))
            return attribute.name;
    }
    return "";
}

// The label attribute of the image-borne measure, checked against the model's attributes.
const FlowAttribute& imageBorneAttribute(const SweepSettings& settings, const FlowModel& model) {
    const std::string& name = settings.image_borne_attribute;
    if (name.find('=') != std::string::npos)
        throw std::invalid_argument("--image-borne takes the label attribute's name only ('" + name.substr(0, name.find('=')) +
                                    "'): the measure averages over the decodes under every one of its values");
    for (const FlowAttribute& attribute : model.card().config.attributes)
        if (attribute.name == name) return attribute;
    throw std::invalid_argument("--image-borne: the model has no attribute '" + name + "'");
}

PrivatizerSettings privatizerSettings(const SweepSettings& settings, const MechanismChoice& swept, double epsilon,
                                      const FlowModel* model) {
    const PrivacyMechanism mechanism = swept.mechanism;
    PrivatizerSettings out;
    out.mechanism.mechanism = mechanism;
    out.mechanism.allocation = swept.allocation;
    out.mechanism.epsilon = epsilon;
    out.mechanism.decoding = parseLatentDecoding(settings.latent_decoding);
    if (isLatentMechanism(mechanism)) {
        if (settings.keep_attributes.empty() && settings.protect_attributes.empty()) {
            for (const FlowAttribute& attribute : model->card().config.attributes)
                out.attributes.push_back({attribute.name, false, 0.0});
        } else {
            out.attributes = makeAttributePolicy(settings.keep_attributes, settings.protect_attributes);
        }
    }
    return out;
}

// The attributes a release under `settings` discloses exactly: the kept ones (none for an
// image-space mechanism, which releases no attribute).
std::vector<std::string> disclosedAttributeNames(const PrivatizerSettings& settings) {
    std::vector<std::string> names;
    for (const AttributeTreatment& treatment : settings.attributes)
        if (!treatment.protect) names.push_back(treatment.name);
    return names;
}

// Each film's stratum: films with equal values of every attribute in `names` share a number.
std::vector<int> disclosedStrata(const std::vector<StudyImage>& films, const std::vector<std::string>& names) {
    std::map<std::vector<std::string>, int> numbers;
    std::vector<int> strata;
    for (const StudyImage& film : films) {
        std::vector<std::string> values;
        for (const std::string& name : names) values.push_back(film.attributes.at(name));
        strata.push_back(numbers.emplace(values, static_cast<int>(numbers.size())).first->second);
    }
    return strata;
}

// `names` without `left_out`.
std::vector<std::string> without(std::vector<std::string> names, const std::string& left_out) {
    names.erase(std::remove(names.begin(), names.end(), left_out), names.end());
    return names;
}

// Sets NaN and infinite pixels to 0 (black) and says whether there were any: a decoder that
// overflows must show up in the figures, not poison every mean and AUC with NaN.
bool zeroNonFinite(Image& image) {
    bool found = false;
    for (float& v : image.pixels)
        if (!std::isfinite(v)) {
            v = 0.0f;
            found = true;
        }
    return found;
}

// Privatized versions of `inputs`, with the attribute values each was decoded under (true
// values for image-space mechanisms, which release none).
struct PrivatizedSet {
    std::vector<Image> images;
    std::vector<AttributeValues> attributes;
    std::size_t nonfinite_images = 0;  ///< decoded with NaN/inf pixels (set to 0)
};

PrivatizedSet privatizeAll(Privatizer& privatizer, const std::vector<PreparedInput>& inputs,
                           const std::vector<StudyImage>& sources, const FlowModel* model, ProgressMeter& meter,
                           const std::string& stage) {
    PrivatizedSet out;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        std::optional<PrivatizedImage> result;
        try {
            result = privatizer.privatize(inputs[i]);
        } catch (const std::runtime_error&) {
            // The privatizer refuses to release a draw that decodes to NaN/inf pixels (it throws
            // std::runtime_error; no narrower type exists). What the user gets then is no image:
            // score it as black, with the true attributes, and count it.
        }
        if (result && !result->image) throw std::logic_error("an image was withheld although the sweep runs no safeguard");
        Image image = result ? *result->image : makeImage(inputs[i].image.width, inputs[i].image.height, NAN);
        out.images.push_back(scoredImage(image, sources[i].image, model));
        if (zeroNonFinite(out.images.back())) ++out.nonfinite_images;
        out.attributes.push_back(result && isLatentMechanism(privatizer.settings().mechanism.mechanism)
                                     ? releasedValues(result->record.attributes)
                                     : sources[i].attributes);
        meter.advance(stage);
    }
    return out;
}

// The image-borne measure's images: each image re-encoded under the attributes it was released
// (or is held) with, and decoded with the label attribute set to the reference value for all.
std::vector<double> imageBorneScores(const FlowModel& model, const BinaryClassifier& classifier, const FlowAttribute& label,
                                     const std::vector<Image>& images, const std::vector<const AttributeValues*>& attributes,
                                     const std::vector<StudyImage>& sources, ProgressMeter& meter, const std::string& stage) {
    constexpr std::size_t kBatch = 16;
    const int size = model.card().config.image_size;
    const std::size_t plane = static_cast<std::size_t>(size) * size;
    std::vector<double> scores(images.size(), 0.0);
    for (std::size_t start = 0; start < images.size(); start += kBatch) {
        const std::size_t stop = std::min(images.size(), start + kBatch);
        std::vector<float> pixels;
        std::vector<AttributeValues> encode_under;
        for (std::size_t i = start; i < stop; ++i) {
            const std::vector<float> prepared = model.prepare(images[i]);
            pixels.insert(pixels.end(), prepared.begin(), prepared.end());
            encode_under.push_back(*attributes[i]);
        }
        const std::vector<float> latents = model.encodeBatch(pixels, encode_under);
        for (const std::string& value : label.values) {
            std::vector<AttributeValues> decode_under = encode_under;
            for (AttributeValues& values : decode_under) values[label.name] = value;
            const std::vector<float> decoded = model.decodeBatch(latents, decode_under);
            std::vector<Image> batch;
            for (std::size_t i = start; i < stop; ++i) {
                Image image = makeImage(size, size);
                image.pixels.assign(decoded.begin() + (i - start) * plane, decoded.begin() + (i - start + 1) * plane);
                batch.push_back(scoredImage(image, sources[i].image, &model));
                zeroNonFinite(batch.back());
            }
            const std::vector<double> predicted = classifier.predict(batch);
            for (std::size_t i = start; i < stop; ++i)
                scores[i] += predicted[i - start] / static_cast<double>(label.values.size());
        }
        meter.advance(stage, stop - start);
    }
    return scores;
}

// The image-borne AUC of `scores` and its paired difference from the originals' on the same
// films, over all pairs and over the pairs within one stratum of disclosed values (`strata`).
void imageBorneFigures(const std::vector<double>& scores, const std::vector<double>& original_scores,
                       const std::vector<int>& labels, const std::vector<int>& strata, SweepRow& row) {
    constexpr double kZ95 = 1.959963984540054;
    row.image_borne_scores = scores;
    row.disclosed_strata = strata;
    row.image_borne = aucOf(scores, labels);
    if (!row.image_borne) return;
    const PairedAucComparison paired = pairedDelongTest(scores, original_scores, labels);
    row.image_borne_difference = paired.difference;
    row.image_borne_difference_low = paired.difference - kZ95 * paired.standard_error;
    row.image_borne_difference_high = paired.difference + kZ95 * paired.standard_error;
    row.image_borne_difference_p = paired.p_value;
    try {
        const PairedAucComparison matched = pairedStratifiedDelongTest(scores, original_scores, labels, strata);
        row.image_borne_matched = SweepAuc{matched.first.auc, matched.first.ci_low, matched.first.ci_high,
                                           matched.first.positives, matched.first.negatives};
        row.image_borne_matched_difference = matched.difference;
        row.image_borne_matched_difference_low = matched.difference - kZ95 * matched.standard_error;
        row.image_borne_matched_difference_high = matched.difference + kZ95 * matched.standard_error;
        row.image_borne_matched_difference_p = matched.p_value;
    } catch (const std::invalid_argument&) {
        // No stratum holds two films of each class: no pair is free of the disclosed attributes.
    }
}

void similarityFigures(const std::vector<Image>& privatized, const std::vector<Image>& originals, SweepRow& row) {
    double ssim = 0.0, psnr = 0.0;
    std::size_t ssim_count = 0, psnr_count = 0;
    for (std::size_t i = 0; i < privatized.size(); ++i) {
        if (std::min(originals[i].width, originals[i].height) >= 11) {
            ssim += structuralSimilarity(privatized[i], originals[i]);
            ++ssim_count;
        }
        const double p = peakSignalToNoiseRatio(privatized[i], originals[i]);
        if (std::isfinite(p)) {
            psnr += p;
            ++psnr_count;
        }
    }
    if (ssim_count) row.mean_ssim = ssim / static_cast<double>(ssim_count);
    if (psnr_count) row.mean_psnr = psnr / static_cast<double>(psnr_count);
}

// Trains the protocol (b) classifier on privatized training images and scores original test images.
std::optional<SweepAuc> protocolB(const SweepSettings& settings, const ClassifierCard& architecture,
                                  const PrivatizedSet& training, const std::vector<StudyImage>& training_sources,
                                  const std::vector<Image>& test_originals, const std::vector<int>& test_labels) {
    LabelledImages train, val;
    for (std::size_t i = 0; i < training.images.size(); ++i) {
        LabelledImages& target = i % kProtocolBValidationStride == kProtocolBValidationStride - 1 ? val : train;
        target.images.push_back(training.images[i]);
        target.labels.push_back(training_sources[i].label);
    }
    if (val.positives() < 2 || val.negatives() < 2) {
        // Too few held-out cases to select an epoch: select on the training images themselves.
        for (std::size_t i = 0; i < val.images.size(); ++i) {
            train.images.push_back(val.images[i]);
            train.labels.push_back(val.labels[i]);
        }
        val = train;
    }
    if (train.positives() == 0 || train.negatives() == 0) return std::nullopt;
    ClassifierTrainOptions options;
    options.image_size = architecture.image_size;
    options.base_channels = architecture.base_channels;
    options.epochs = settings.protocol_b_epochs;
    options.seed = settings.seed;
    const BinaryClassifier classifier = BinaryClassifier::train(train, val, options);
    return aucOf(classifier.predict(test_originals), test_labels);
}

// At most `limit` of `rows`, taken as evenly spaced units (rows, or whole patients when
// `group_column` is given) in manifest order: a manifest sorted by label or by patient still
// gives a subset that looks like the whole.
std::vector<std::size_t> evenlySpacedRows(const Manifest& manifest, const std::vector<std::size_t>& rows,
                                          std::size_t limit, const std::string& group_column) {
    if (limit == 0 || rows.size() <= limit) return rows;
    std::vector<std::vector<std::size_t>> units;
    std::map<std::string, std::size_t> unit_of;
    for (std::size_t row : rows) {
        if (group_column.empty()) {
            units.push_back({row});
            continue;
        }
        const auto [it, added] = unit_of.emplace(manifest.value(row, group_column), units.size());
        if (added) units.emplace_back();
        units[it->second].push_back(row);
    }
    const std::size_t keep = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::llround(static_cast<double>(limit) * units.size() / rows.size())));
    std::vector<std::size_t> selected;
    for (std::size_t j = 0; j < std::min(keep, units.size()); ++j) {
        const std::size_t unit = static_cast<std::size_t>((static_cast<double>(j) + 0.5) * units.size() / keep);
        for (std::size_t row : units[unit]) selected.push_back(row);
    }
    std::sort(selected.begin(), selected.end());
    if (selected.size() > limit) selected.resize(limit);
    return selected;
}



}  // namespace

void validateSweepSettings(const SweepSettings& s) {
    if (s.mechanisms.empty()) throw std::invalid_argument("no mechanism to sweep (give --mechanism, e.g. dpglow,pixel)");
    if (s.epsilons.empty()) throw std::invalid_argument("no eps to sweep (give --epsilons, e.g. 1e3,1e5,1e7)");
    for (double eps : s.epsilons)
        if (!(eps > 0.0) || !std::isfinite(eps))
            throw std::invalid_argument(fmt::format("eps {} is not a positive finite number", eps));
    for (const std::string& name : s.mechanisms) {
        const PrivacyMechanism mechanism = parseMechanism(name);
        if (isLatentMechanism(mechanism) && s.model_path.empty())
            throw std::invalid_argument("mechanism " + name + " works on the flow's latent: give --model");
    }
    sweptMechanisms(s);  // throws for allocations without allocated
    if (!s.image_borne_attribute.empty() && s.model_path.empty())
        throw std::invalid_argument("--image-borne re-encodes with the flow: give --model");
    if (s.image_borne_as_released && !s.image_borne_attribute.empty())
        throw std::invalid_argument("--image-borne-as-released is for a flow not conditioned on the label; --image-borne " +
                                    s.image_borne_attribute + " for one that is: choose one");
    if (s.image_borne_as_released && s.model_path.empty())
        throw std::invalid_argument("--image-borne-as-released scores the flow's releases: give --model");
    if (s.classifier_path.empty()) throw std::invalid_argument("no classifier (give --classifier)");
    if (s.data_path.empty()) throw std::invalid_argument("no data (give --data MANIFEST)");
    if (!s.protocol_a && !s.protocol_b && !s.reidentification)
        throw std::invalid_argument("nothing to measure: choose --protocol a, b or both, or --reid");
    if (s.reidentification && s.model_path.empty())
        throw std::invalid_argument("--reid runs the flow-latent attacker: give --model");
    if (s.reidentification && s.patient_column.empty())
        throw std::invalid_argument("--reid needs a patient column (--patient-column)");
    parseLatentDecoding(s.latent_decoding);  // throws naming the accepted values
    if (s.protocol_b_epochs < 1) throw std::invalid_argument("--protocol-b-epochs must be at least 1");
    if (s.embedding_steps < 1) throw std::invalid_argument("--embedding-steps must be at least 1");
    if (s.attack_draws < 1) throw std::invalid_argument("--attack-draws must be at least 1");
}

SweepInputHashes hashSweepInputs(const SweepSettings& settings) {
    SweepInputHashes hashes;
    if (!settings.model_path.empty()) hashes.model_sha256 = sha256OfFile(settings.model_path);
    hashes.classifier_sha256 = sha256OfFile(settings.classifier_path);
    if (!settings.embedding_path.empty()) hashes.embedding_sha256 = sha256OfFile(settings.embedding_path);
    if (!settings.linkage_embedding_path.empty())
        hashes.linkage_embedding_sha256 = sha256OfFile(settings.linkage_embedding_path);
    for (const MechanismChoice& swept : sweptMechanisms(settings))
        if (swept.mechanism == PrivacyMechanism::Allocated) hashes.allocation_sha256.push_back(sha256OfFile(swept.allocation));
    hashes.data_sha256 = hashSweepData(settings.data_path);
    return hashes;
}

SweepResults computeSweep(const SweepSettings& settings, const SweepInputHashes& hashes,
                          const SweepProgressCallback& on_progress, const SweepCancelCheck& is_cancelled) {
    validateSweepSettings(settings);
    const Manifest manifest = Manifest::read(settings.data_path);
    const BinaryClassifier classifier = BinaryClassifier::load(settings.classifier_path);
    std::optional<FlowModel> flow;
    if (!settings.model_path.empty()) flow.emplace(FlowModel::load(settings.model_path, "cpu"));
    const FlowModel* model = flow ? &*flow : nullptr;
    const std::vector<FlowAttribute> attributes = model ? model->card().config.attributes : std::vector<FlowAttribute>{};
    const std::string label_column = settings.label_column.empty() ? classifier.card().label_column : settings.label_column;
    const std::string patient_column = settings.reidentification ? settings.patient_column : "";

    const std::vector<StudyImage> test =
        loadStudyImages(manifest, evenlySpacedRows(manifest, manifest.rowsInSplit(settings.split), settings.max_images,
                                                   patient_column),
                        label_column, attributes, patient_column, settings.data_path);
    if (test.empty()) throw std::invalid_argument(settings.data_path + " has no rows in split '" + settings.split + "'");
    if (settings.image_borne_as_released)
        if (const std::string carrier = attributeCarryingTheLabel(test, attributes); !carrier.empty())
            throw std::invalid_argument("--image-borne-as-released: the flow is conditioned on the label through its attribute '" +
                                        carrier + "' (its value decides " + label_column + " on every test film), so a "
                                        "released film carries the disclosed label; use --image-borne " + carrier);
    std::vector<StudyImage> training;
    const bool trains_embedding = settings.reidentification && settings.embedding_path.empty();
    const bool needs_training = settings.protocol_b || trains_embedding;
    if (needs_training) {
        training = loadStudyImages(
            manifest,
            evenlySpacedRows(manifest, manifest.rowsInSplit(settings.training_split),
                             settings.protocol_b ? settings.protocol_b_max_training_images : 0, ""),
            label_column, attributes, patient_column, settings.data_path);
        if (training.empty())
            throw std::invalid_argument(settings.data_path + " has no rows in the training split '" +
                                        settings.training_split + "' (protocol b and the embedding attacker need it)");
    }
    std::optional<ReidentificationSets> sets;
    if (settings.reidentification) sets = reidentificationSets(test, settings.patient_column);

    const std::vector<MechanismChoice> mechanisms = sweptMechanisms(settings);
    const FlowAttribute* blind = settings.image_borne_attribute.empty() ? nullptr : &imageBorneAttribute(settings, *model);
    std::size_t kinds = 0;  // latent and image-space mechanisms are prepared separately
    for (bool latent : {false, true})
        for (const MechanismChoice& swept : mechanisms)
            if (isLatentMechanism(swept.mechanism) == latent) {
                ++kinds;
                break;
            }
    const std::size_t points = mechanisms.size() * settings.epsilons.size();
    // Units: images privatized or prepared, and (under --reid) test images the attackers see.
    const std::size_t per_point = test.size() * (blind ? 2 : 1) + (settings.protocol_b ? training.size() : 0);
    const std::size_t attack_units = settings.reidentification ? test.size() : 0;
    const auto draws = static_cast<std::size_t>(settings.reidentification ? settings.attack_draws : 1);
    // Per point: the further attack draws' privatizations, and every draw attacked; the originals once.
    ProgressMeter meter((points + kinds) * per_point + points * (draws - 1) * test.size() +
                            (points * draws + 1) * attack_units + (blind ? test.size() : 0) +
                            (settings.protocol_b ? training.size() : 0),
                        on_progress, is_cancelled);

    // Encode once per kind of mechanism (latent or image space), privatize many times.
    std::map<bool, std::vector<PreparedInput>> prepared_test, prepared_training;
    for (const MechanismChoice& swept : mechanisms) {
        const bool latent = isLatentMechanism(swept.mechanism);
        if (prepared_test.count(latent)) continue;
        SeededTestRandomSource unused(0);
        const Privatizer preparer(privatizerSettings(settings, swept, settings.epsilons.front(), model),
                                  ModelReference{model, settings.model_path, hashes.model_sha256}, unused);
        const std::string stage = latent ? "encoding with the flow" : "preparing images";
        for (const StudyImage& image : test) {
            prepared_test[latent].push_back(preparer.prepare(image.image, image.attributes));
            meter.advance(stage);
        }
        if (settings.protocol_b)
            for (const StudyImage& image : training) {
                prepared_training[latent].push_back(preparer.prepare(image.image, image.attributes));
                meter.advance(stage);
            }
    }

    // The originals as scored: the working image brought back to the source size.
    const std::vector<PreparedInput>& any_prepared = prepared_test.begin()->second;
    std::vector<Image> originals;
    std::vector<int> labels;
    std::vector<const AttributeValues*> true_attributes;
    for (std::size_t i = 0; i < test.size(); ++i) {
        originals.push_back(scoredImage(any_prepared[i].image, test[i].image, model));
        labels.push_back(test[i].label);
        true_attributes.push_back(&test[i].attributes);
    }

    std::optional<Attackers> attackers;
    std::optional<PatientEmbedding> linkage_embedding;
    if (settings.reidentification && !settings.linkage_embedding_path.empty())
        linkage_embedding = PatientEmbedding::load(settings.linkage_embedding_path);
    if (settings.reidentification && !trains_embedding) {
        attackers.emplace(model, &classifier, PatientEmbedding::load(settings.embedding_path), linkage_embedding);
    } else if (settings.reidentification) {
        std::vector<Image> images;
        std::vector<std::string> ids;
        for (const StudyImage& image : training) {
            images.push_back(image.image);
            ids.push_back(image.patient);
        }
        const std::string stage = "training the embedding attacker on the training patients' originals";
        EmbeddingTrainOptions options;
        options.on_step = [&meter, &stage](const EmbeddingStep& step) {
            meter.oneOff(stage, static_cast<std::size_t>(step.step), static_cast<std::size_t>(step.steps));
        };
        meter.oneOff(stage, 0, static_cast<std::size_t>(settings.embedding_steps));
        options.image_size = std::min(64, std::max(16, model->card().config.image_size));
        options.steps = settings.embedding_steps;
        options.seed = settings.seed;
        options.training_data = settings.data_path + " split '" + settings.training_split + "'";
        attackers.emplace(model, &classifier, PatientEmbedding::train(images, ids, options), linkage_embedding);
    }
    const std::vector<GalleryFeatures> gallery =
        attackers ? galleryFeatures(*attackers, test, *sets) : std::vector<GalleryFeatures>{};

    SweepResults results;
    results.settings = settings;
    results.hashes = hashes;
    results.cache_key = sweepCacheKey(settings, hashes);
    results.created_utc = currentUtcTimestamp();
    const bool image_borne = blind || settings.image_borne_as_released;
    if (image_borne) results.test_labels = labels;

    // What each release discloses exactly (sweep_results.h): the strata of the attackers (every kept
    // attribute) and of the matched image-borne measure (every kept attribute but the label). The
    // originals row is judged on the strata of the sweep's latent mechanisms, when it has one.
    const auto strataOf = [&](const MechanismChoice& swept) {
        const std::vector<std::string> names =
            disclosedAttributeNames(privatizerSettings(settings, swept, settings.epsilons.front(), model));
        return std::pair{disclosedStrata(test, names), disclosedStrata(test, without(names, settings.image_borne_attribute))};
    };
    const auto latent_choice = std::find_if(mechanisms.begin(), mechanisms.end(),
                                            [](const MechanismChoice& swept) { return isLatentMechanism(swept.mechanism); });
    const auto [original_attack_strata, original_matched_strata] =
        strataOf(latent_choice != mechanisms.end() ? *latent_choice : mechanisms.front());

    SweepRow original;
    original.mechanism = "original";
    original.epsilon = std::numeric_limits<double>::infinity();
    original.test_images = test.size();
    const std::vector<double> original_scores = classifier.predict(originals);
    original.protocol_a = aucOf(original_scores, labels);
    original.within_label_concordance = withinGroupConcordance(original_scores, original_scores, labels);
    std::vector<double> original_blind_scores;
    if (blind) {
        original_blind_scores =
            imageBorneScores(*model, classifier, *blind, originals, true_attributes, test, meter, "image-borne measure on the originals");
        imageBorneFigures(original_blind_scores, original_blind_scores, labels, original_matched_strata, original);
    } else if (settings.image_borne_as_released) {
        original_blind_scores = original_scores;  // an original is its own release
        imageBorneFigures(original_scores, original_scores, labels, original_matched_strata, original);
    }
    similarityFigures(originals, originals, original);
    if (attackers) {
        ProbeDraw draw;  // the originals are one draw: repeating them would only repeat the same probes
        for (const Image& image : originals) draw.images.push_back(&image);
        draw.attributes = true_attributes;
        attack(*attackers, gallery, test, *sets, {draw}, original_attack_strata, original);
        meter.advance("attacking the originals", attack_units);
    }
    results.original = original;

    for (const MechanismChoice& swept : mechanisms) {
        const bool latent = isLatentMechanism(swept.mechanism);
        for (double epsilon : settings.epsilons) {
            const std::string& name = swept.label;
            SeededTestRandomSource source(pointSeed(settings.seed, name, epsilon));
            Privatizer privatizer(privatizerSettings(settings, swept, epsilon, model),
                                  ModelReference{model, settings.model_path, hashes.model_sha256}, source);
            const auto [attack_strata, matched_strata] = strataOf(swept);
            SweepRow row;
            row.mechanism = name;
            row.epsilon = epsilon;
            row.test_images = test.size();
            const Image& working = prepared_test[latent].front().image;
            const ReleaseAccounting accounting = privatizer.accounting(working.width, working.height);
            if (accounting.plan) row.noise_scale = accounting.plan->scale;
            const std::string stage = fmt::format("{} eps {:g}", name, epsilon);

            const PrivatizedSet privatized =
                privatizeAll(privatizer, prepared_test[latent], test, model, meter, stage + ": privatizing test images");
            row.nonfinite_images = privatized.nonfinite_images;
            std::vector<double> released_scores;
            if (settings.protocol_a || settings.image_borne_as_released) released_scores = classifier.predict(privatized.images);
            if (settings.protocol_a) {
                row.protocol_a = aucOf(released_scores, labels);
                row.within_label_concordance = withinGroupConcordance(original_scores, released_scores, labels);
            }
            if (settings.image_borne_as_released)
                imageBorneFigures(released_scores, original_blind_scores, labels, matched_strata, row);
            if (blind) {
                std::vector<const AttributeValues*> released;
                for (const AttributeValues& values : privatized.attributes) released.push_back(&values);
                const std::vector<double> scores = imageBorneScores(*model, classifier, *blind, privatized.images, released, test,
                                                                    meter, stage + ": image-borne measure");
                imageBorneFigures(scores, original_blind_scores, labels, matched_strata, row);
            }
            similarityFigures(privatized.images, originals, row);
            if (attackers) {
                // Further independent draws (fresh noise from the same source) for the attackers only.
                std::vector<PrivatizedSet> further;
                for (int d = 1; d < settings.attack_draws; ++d)
                    further.push_back(privatizeAll(privatizer, prepared_test[latent], test, model, meter,
                                                   fmt::format("{}: privatizing test images, attack draw {} of {}", stage,
                                                               d + 1, settings.attack_draws)));
                std::vector<const PrivatizedSet*> sets_drawn{&privatized};
                for (const PrivatizedSet& set : further) sets_drawn.push_back(&set);
                std::vector<ProbeDraw> draws;
                for (const PrivatizedSet* set : sets_drawn) {
                    ProbeDraw draw;
                    for (std::size_t i = 0; i < test.size(); ++i) {
                        draw.images.push_back(&set->images[i]);
                        draw.attributes.push_back(&set->attributes[i]);
                    }
                    draws.push_back(std::move(draw));
                }
                attack(*attackers, gallery, test, *sets, draws, attack_strata, row);
                meter.advance(stage + ": attacking", attack_units * static_cast<std::size_t>(settings.attack_draws));
            }
            if (settings.protocol_b) {
                const PrivatizedSet privatized_training = privatizeAll(
                    privatizer, prepared_training[latent], training, model, meter, stage + ": privatizing training images");
                row.protocol_b = protocolB(settings, classifier.card(), privatized_training, training, originals, labels);
            }
            results.rows.push_back(std::move(row));
        }
    }
    // The protocol (b) baseline: the same short training on the original training images.
    if (settings.protocol_b) {
        PrivatizedSet originals_training;
        for (const StudyImage& image : training) {
            originals_training.images.push_back(image.image);
            originals_training.attributes.push_back(image.attributes);
            meter.advance("protocol b on originals");
        }
        results.original->protocol_b = protocolB(settings, classifier.card(), originals_training, training, originals, labels);
    }
    results.wall_seconds = meter.elapsedSeconds();
    return results;
}

SweepOutcome runSweep(const SweepSettings& settings, const SweepRunOptions& options) {
    validateSweepSettings(settings);
    const SweepInputHashes hashes = hashSweepInputs(settings);
    const std::string key = sweepCacheKey(settings, hashes);
    SweepOutcome outcome;
    if (!options.cache_dir.empty()) {
        outcome.cache_entry = sweepCacheEntry(options.cache_dir, key);
        if (!options.recompute)
            if (std::optional<SweepResults> cached = findCachedSweep(options.cache_dir, key)) {
                outcome.results = std::move(*cached);
                // Paths are not part of the key: report the ones asked with.
                outcome.results.settings.model_path = settings.model_path;
                outcome.results.settings.classifier_path = settings.classifier_path;
                outcome.results.settings.data_path = settings.data_path;
                outcome.results.settings.embedding_path = settings.embedding_path;
                outcome.results.settings.linkage_embedding_path = settings.linkage_embedding_path;
                outcome.from_cache = true;
                return outcome;
            }
    }
    outcome.results = computeSweep(settings, hashes, options.on_progress, options.is_cancelled);
    if (!options.cache_dir.empty()) storeCachedSweep(options.cache_dir, outcome.results);
    return outcome;
}

}  // namespace dpflow
