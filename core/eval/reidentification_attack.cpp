#include "eval/reidentification_attack.h"

#include "eval/pixel_features.h"
#include "image/image_reader.h"
#include "image/sha256.h"

#include <fmt/format.h>

#include <optional>
#include <stdexcept>

namespace dpflow {
namespace {

std::vector<Image> readRows(const Manifest& manifest, const std::vector<std::size_t>& rows) {
    std::vector<Image> images;
    images.reserve(rows.size());
    for (const auto row : rows) images.push_back(readImage(manifest.file(row)));
    return images;
}

std::vector<std::string> identitiesOf(const Manifest& manifest, const std::vector<std::size_t>& rows,
                                      const std::string& column) {
    std::vector<std::string> ids;
    for (const auto row : rows) ids.push_back(manifest.value(row, column));
    return ids;
}

}  // namespace

ReidentificationAttacker parseReidentificationAttacker(const std::string& name) {
    if (name == "pixels") return ReidentificationAttacker::Pixels;
    if (name == "embedding") return ReidentificationAttacker::Embedding;
    throw std::invalid_argument("unknown attacker '" + name + "' (use pixels or embedding)");
}

ManifestReidentificationReport reidentifyOnManifest(const ManifestReidentificationOptions& options) {
    const auto manifest = Manifest::read(options.manifest);
    const auto protocol = options.linkage ? linkageProtocol(manifest, options.patient_column, options.split)
                                          : identificationProtocol(manifest, options.patient_column, options.split);
    ManifestReidentificationReport report;
    std::optional<PatientEmbedding> embedding;
    if (options.attacker == ReidentificationAttacker::Embedding) {
        if (options.embedding.empty()) throw std::invalid_argument("the embedding attacker needs a model file");
        embedding = PatientEmbedding::load(options.embedding);
        report.attacker = fmt::format("learned embedding {} ({} px)", options.embedding.string(), embedding->imageSize());
    } else {
        if (options.pixel_size < 1) throw std::invalid_argument("the pixel attacker's size must be positive");
        report.attacker = fmt::format("normalised pixels at {}x{}", options.pixel_size, options.pixel_size);
    }
    const auto features = [&](const std::vector<std::size_t>& rows) {
        IdentityFeatures set;
        const auto images = readRows(manifest, rows);
        if (embedding) {
            set.features = embedding->embed(images);
        } else {
            for (const auto& image : images) set.features.push_back(normalisedPixelFeatures(image, options.pixel_size));
        }
        set.identities = identitiesOf(manifest, rows, options.patient_column);
        return set;
    };
    report.result = matchIdentities(features(protocol.gallery_rows), features(protocol.probe_rows));
    return report;
}

PatientEmbedding trainEmbeddingOnManifest(const std::filesystem::path& manifest_path, const std::string& split,
                                          const std::string& patient_column, EmbeddingTrainOptions options,
                                          const std::filesystem::path& output) {
    const auto manifest = Manifest::read(manifest_path);
    if (!manifest.hasColumn(patient_column))
        throw ManifestError(fmt::format("{} has no column '{}' (columns: {})", manifest_path.string(), patient_column,
                                        fmt::join(manifest.columns(), ", ")));
    const auto rows = manifest.rowsInSplit(split);
    if (rows.empty()) throw ManifestError(fmt::format("{} has no rows in split '{}'", manifest_path.string(), split));
    options.training_data = fmt::format("{} split '{}' ({} images, manifest SHA-256 {})", manifest_path.string(), split,
                                        rows.size(), sha256OfFile(manifest_path));
    auto model = PatientEmbedding::train(readRows(manifest, rows), identitiesOf(manifest, rows, patient_column), options);
    model.save(output);
    return model;
}

}  // namespace dpflow
