#include "eval/studio_curve.h"

#include "eval/classifier_card.h"
#include "image/manifest.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

namespace dpflow {
namespace {

constexpr const char* kClassifierCardSuffix = "-classifier.json";
constexpr const char* kPatientColumn = "patient_id";

std::optional<ClassifierCard> readCard(const std::filesystem::path& json_path) {
    try {
        std::ifstream in(json_path);
        return classifierCardFromJson(nlohmann::json::parse(in));
    } catch (const std::exception&) {
        return std::nullopt;  // not a classifier card: another shipped file, skipped
    }
}

bool hasBothLabels(const Manifest& manifest, const std::vector<std::size_t>& rows, const std::string& label_column) {
    std::set<std::string> labels;
    for (std::size_t row : rows) labels.insert(manifest.value(row, label_column));
    return labels.count("0") > 0 && labels.count("1") > 0;
}

bool somePatientHasTwoImages(const Manifest& manifest, const std::vector<std::size_t>& rows) {
    if (!manifest.hasColumn(kPatientColumn)) return false;
    std::map<std::string, int> images;
    for (std::size_t row : rows)
        if (++images[manifest.value(row, kPatientColumn)] >= 2) return true;
    return false;
}

}  // namespace

std::vector<double> studioCurveEpsilons() {
    std::vector<double> epsilons;
    for (int exponent = 0; exponent <= 8; ++exponent) epsilons.push_back(std::pow(10.0, exponent));
    return epsilons;
}

std::optional<std::filesystem::path> findStudioClassifier(const std::vector<std::filesystem::path>& folders,
                                                          const std::filesystem::path& model_path, int image_size,
                                                          const std::vector<std::string>& columns) {
    const std::string model_name = model_path.stem().string();
    const std::string family = model_name.substr(0, model_name.find('-'));
    std::optional<std::filesystem::path> same_size;
    for (const auto& folder : folders) {
        std::error_code error;
        if (!std::filesystem::is_directory(folder, error)) continue;
        std::vector<std::filesystem::path> cards;
        for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
            const std::string name = entry.path().filename().string();
            const std::string suffix = kClassifierCardSuffix;
            if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
                cards.push_back(entry.path());
        }
        std::sort(cards.begin(), cards.end());
        for (const auto& card_path : cards) {
            auto weights = card_path;
            weights.replace_extension(".safetensors");
            const auto card = readCard(card_path);
            if (!card || !std::filesystem::is_regular_file(weights)) continue;
            if (std::find(columns.begin(), columns.end(), card->label_column) == columns.end()) continue;
            const std::string name = card_path.filename().string();
            if (!family.empty() && name.compare(0, family.size() + 1, family + "-") == 0) return weights;
            if (card->image_size == image_size && !same_size) same_size = weights;
        }
    }
    return same_size;
}

StudioCurvePlan planStudioCurve(const StudioCurveRequest& request) {
    if (request.study_manifest.empty() || !std::filesystem::is_regular_file(request.study_manifest))
        throw std::invalid_argument(
            "the open study has no manifest.csv with labels: open a study folder with a manifest (such as the bundled "
            "sample or one written by `dpflow phantom`), or run `dpflow sweep` and load its results");
    const Manifest manifest = Manifest::read(request.study_manifest);
    const auto classifier = findStudioClassifier(request.classifier_folders, request.model_path, request.model_image_size, manifest.columns());
    if (!classifier)
        throw std::invalid_argument(fmt::format(
            "no shipped downstream classifier fits this model ({} px) and a label column of {}: train one with "
            "`dpflow classifier train` into the models folder, or run `dpflow sweep --classifier ...`",
            request.model_image_size, request.study_manifest.string()));
    const auto card = readCard(std::filesystem::path(*classifier).replace_extension(".json"));

    StudioCurvePlan plan;
    SweepSettings& s = plan.settings;
    s.model_path = request.model_path.string();
    s.classifier_path = classifier->string();
    s.data_path = request.study_manifest.string();
    s.mechanisms = {request.mechanism};
    s.epsilons = studioCurveEpsilons();
    s.protocol_a = true;
    s.keep_attributes = request.keep_attributes;
    s.protect_attributes = request.protect_attributes;
    s.latent_decoding = request.latent_decoding;
    s.max_images = kStudioCurveMaxImages;
    s.label_column = card->label_column;

    std::vector<std::size_t> rows = manifest.rowsInSplit("test");
    std::string rows_said = "its test split";
    if (!hasBothLabels(manifest, rows, s.label_column)) {
        s.split = "";
        rows = manifest.rowsInSplit("");
        rows_said = "every row (its test split lacks one of the labels)";
        if (!hasBothLabels(manifest, rows, s.label_column))
            throw std::invalid_argument(fmt::format("{} needs images with {} = 0 and = 1 for an AUC",
                                                    request.study_manifest.string(), s.label_column));
    }
    s.reidentification = somePatientHasTwoImages(manifest, rows);
    if (s.reidentification) s.patient_column = kPatientColumn;
    if (s.reidentification) s.embedding_path = request.embedding_path.string();
    if (s.reidentification) s.linkage_embedding_path = request.linkage_embedding_path.string();
    plan.description = fmt::format("{} on {} of {} (at most {} images), classifier {}{}", request.mechanism, rows_said,
                                   request.study_manifest.filename().string(), s.max_images,
                                   classifier->filename().string(),
                                   !s.reidentification ? ", no re-identification (one image per patient)"
                                   : s.embedding_path.empty() ? ", with re-identification (embedding attacker trained on the study's train split)"
                                                              : ", with re-identification (embedding attacker " +
                                                                    request.embedding_path.filename().string() + ")");
    return plan;
}

}  // namespace dpflow
