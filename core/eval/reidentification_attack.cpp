#include "eval/reidentification_attack.h"

#include "eval/pixel_features.h"
#include "flow/flow_model.h"
#include "privacy/epsilon_strip.h"
#include "privacy/mechanism_settings.h"
#include "privacy/random_source.h"
#include "image/image_reader.h"
#include "image/sha256.h"
#include "eval/sweep_summary.h"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <numeric>
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

// The training films' originals (at the model's working size) and their privatized copies, with
// the film (its file) as identity.
struct TrainingCopies {
    std::vector<Image> images;
    std::vector<std::string> films;
    std::string model_sha256;
};

TrainingCopies privatizedTrainingCopies(const Manifest& manifest, const std::vector<std::size_t>& rows,
                                        const LinkageViews& views) {
    if (views.epsilons.empty()) throw std::invalid_argument("a linkage attacker needs at least one eps for its privatized copies");
    const FlowModel flow = FlowModel::load(views.model);
    TrainingCopies copies;
    copies.model_sha256 = sha256OfFile(views.model);
    const ModelReference reference{&flow, views.model.filename().string(), copies.model_sha256};
    StripSettings settings;
    settings.mechanisms = {parseMechanism(views.mechanism)};
    if (!isLatentMechanism(settings.mechanisms.front()))
        throw std::invalid_argument("a linkage attacker's copies come from a latent mechanism (dpglow or cadp)");
    settings.epsilons = views.epsilons;
    for (const FlowAttribute& attribute : flow.card().config.attributes) settings.attributes.push_back({attribute.name, false, 0.0});
    std::vector<PrivatizeInput> inputs;
    for (const auto row : rows) {
        PrivatizeInput input{manifest.file(row), {}, {}};
        for (const FlowAttribute& attribute : flow.card().config.attributes)
            input.attributes[attribute.name] = manifest.value(row, attribute.name);
        inputs.push_back(std::move(input));
    }
    SeededTestRandomSource source(views.seed);
    const std::vector<StripRow> privatized = privatizeAcrossEpsilons(inputs, settings, reference, source);
    for (std::size_t film = 0; film < privatized.size(); ++film) {
        const std::string identity = std::to_string(film);  // file names need not be unique across folders
        copies.images.push_back(privatized[film].original);
        copies.films.push_back(identity);
        for (const StripCell& cell : privatized[film].cells) {
            if (!cell.image) continue;
            copies.images.push_back(*cell.image);
            copies.films.push_back(identity);
        }
    }
    return copies;
}

// Rows of every split named in `splits` ("train,val"), in manifest order.
std::vector<std::size_t> rowsInSplits(const Manifest& manifest, const std::string& splits) {
    std::vector<std::size_t> rows;
    std::size_t begin = 0;
    while (true) {
        const std::size_t comma = splits.find(',', begin);
        const std::string split = splits.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin);
        for (const auto row : manifest.rowsInSplit(split)) rows.push_back(row);
        if (comma == std::string::npos) break;
        begin = comma + 1;
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    return rows;
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

namespace {

nlohmann::ordered_json figuresToJson(const SweepAttackFigures& f) {
    const auto value = [](const auto& v) { return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr); };
    return {{"top1", value(f.top1_rate)},
            {"top1_hits", value(f.top1_hits)},
            {"probes", value(f.probes)},
            {"top1_ci_low", value(f.top1_ci_low)},
            {"top1_ci_high", value(f.top1_ci_high)},
            {"chance", value(f.chance_rate)},
            {"verification_auc", value(f.verification_auc)},
            {"verification_ci_low", value(f.verification_ci_low)},
            {"verification_ci_high", value(f.verification_ci_high)},
            {"tpr_at_fpr_1pct", value(f.tpr_at_fpr_1pct)},
            {"tpr_at_fpr_01pct", value(f.tpr_at_fpr_01pct)},
            {"summary", describeAttackStrength(f)}};
}

}  // namespace

std::filesystem::path embeddingCardPath(const std::filesystem::path& model) {
    auto path = model;
    return path.replace_extension(".json");
}

EmbeddingTrainingResult trainEmbeddingOnManifest(const EmbeddingTrainingRun& run, EmbeddingTrainOptions options) {
    const auto manifest = Manifest::read(run.manifest);
    if (!manifest.hasColumn(run.patient_column))
        throw ManifestError(fmt::format("{} has no column '{}' (columns: {})", run.manifest.string(), run.patient_column,
                                        fmt::join(manifest.columns(), ", ")));
    const auto rows = rowsInSplits(manifest, run.splits);
    if (rows.empty()) throw ManifestError(fmt::format("{} has no rows in split(s) '{}'", run.manifest.string(), run.splits));
    if (!run.evaluate_split.empty())
        for (const auto row : manifest.rowsInSplit(run.evaluate_split))
            if (std::find(rows.begin(), rows.end(), row) != rows.end())
                throw std::invalid_argument(fmt::format("the attacker is judged on split '{}', which it is trained on: "
                                                        "judge it on patients it has not seen",
                                                        run.evaluate_split));
    const std::string manifest_sha256 = sha256OfFile(run.manifest);
    options.training_data = fmt::format("{} split(s) '{}' ({} images, manifest SHA-256 {})", run.manifest.string(),
                                        run.splits, rows.size(), manifest_sha256);
    std::vector<std::string> ids = identitiesOf(manifest, rows, run.patient_column);
    std::map<std::string, int> images_of;
    for (const auto& id : ids) ++images_of[id];
    const auto several = std::count_if(images_of.begin(), images_of.end(), [](const auto& p) { return p.second > 1; });

    const auto start = std::chrono::steady_clock::now();
    std::vector<Image> images;
    nlohmann::ordered_json views = nullptr;
    if (run.linkage_views) {
        const TrainingCopies copies = privatizedTrainingCopies(manifest, rows, *run.linkage_views);
        images = copies.images;
        ids = copies.films;
        views = {{"model", run.linkage_views->model.filename().string()},
                 {"model_sha256", copies.model_sha256},
                 {"mechanism", run.linkage_views->mechanism},
                 {"epsilons", run.linkage_views->epsilons},
                 {"attributes", "every model attribute kept (the released values)"},
                 {"noise", "seeded evaluation noise (training data, never released)"},
                 {"seed", run.linkage_views->seed}};
        options.cross_acquisition_share = 1.0;  // every film has its copies
    } else {
        images = readRows(manifest, rows);
    }
    std::vector<double> losses;
    EmbeddingTrainingResult trained{PatientEmbedding::train(images, ids, options, &losses), std::nullopt, std::nullopt};
    const PatientEmbedding& model = trained.model;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    model.save(run.output);

    const std::size_t tail = std::min<std::size_t>(losses.size(), 25);
    const double final_loss = std::accumulate(losses.end() - static_cast<std::ptrdiff_t>(tail), losses.end(), 0.0) /
                              static_cast<double>(std::max<std::size_t>(tail, 1));
    nlohmann::ordered_json card{
        {"format", "dpflow-reid-embedding-card"},
        {"version", 1},
        {"model", run.output.filename().string()},
        {"model_sha256", sha256OfFile(run.output)},
        {"purpose", run.linkage_views
                        ? "learned linkage attacker: unit-length embedding of a film, close for a film and its privatized "
                          "releases; judged by nearest-neighbour top-1 of a release against a gallery of originals"
                        : "learned re-identification attacker: unit-length embedding of a film, close for films of the "
                          "same patient; judged by nearest-neighbour top-1 against a gallery of one original per patient"},
        {"privatized_views", views},
        {"training",
         {{"manifest", run.manifest.string()},
          {"manifest_sha256", manifest_sha256},
          {"splits", run.splits},
          {"images", rows.size()},
          {"images_with_privatized_copies", images.size()},
          {"patients", images_of.size()},
          {"patients_with_several_images", several},
          {"image_size", options.image_size},
          {"base_channels", options.base_channels},
          {"embedding_dim", options.embedding_dim},
          {"steps", options.steps},
          {"patients_per_batch", options.patients_per_batch},
          {"cross_acquisition_share", options.cross_acquisition_share},
          {"temperature", options.temperature},
          {"learning_rate", options.learning_rate},
          {"seed", options.seed},
          {"wall_seconds", seconds},
          {"final_loss", final_loss},
          {"command", run.command_line}}},
        {"strength_on_originals", nullptr}};
    if (!run.evaluate_split.empty()) {
        ManifestReidentificationOptions attack;
        attack.manifest = run.manifest;
        attack.split = run.evaluate_split;
        attack.patient_column = run.patient_column;
        attack.attacker = ReidentificationAttacker::Embedding;
        attack.embedding = run.output;
        const auto identification = reidentifyOnManifest(attack);
        attack.linkage = true;
        const auto linkage = reidentifyOnManifest(attack);
        trained.identification = attackFiguresOf(identification.result);
        trained.linkage = attackFiguresOf(linkage.result);
        card["strength_on_originals"] = {{"split", run.evaluate_split},
                                         {"gallery_patients", identification.result.gallery_size},
                                         {"identification", figuresToJson(*trained.identification)},
                                         {"linkage", figuresToJson(*trained.linkage)}};
    }
    const std::filesystem::path card_path = embeddingCardPath(run.output);
    std::ofstream out(card_path);  // beside the weights, as the classifier's card
    out << card.dump(2) << '\n';
    if (!out) throw std::runtime_error("cannot write the attacker card " + card_path.string());
    return trained;
}

}  // namespace dpflow
