#include "eval/sweep_results.h"

#include "flow/json_numbers.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace dpflow {
namespace {

using Json = nlohmann::ordered_json;

// One numeric CSV column: how to read it from a row and how to store it back. The CSV and the
// JSON rows are both written from this one table, so the two never disagree on names.
struct NumericColumn {
    std::string name;
    std::function<std::optional<double>(const SweepRow&)> get;
    std::function<void(SweepRow&, double)> set;
};

template <typename T>
std::optional<double> asDouble(const std::optional<T>& value) {
    if (!value) return std::nullopt;
    return static_cast<double>(*value);
}

void addAucColumns(std::vector<NumericColumn>& columns, const std::string& prefix,
                   std::optional<SweepAuc> SweepRow::*member) {
    auto field = [&](const std::string& name, double SweepAuc::*value) {
        columns.push_back({prefix + name,
                           [member, value](const SweepRow& row) -> std::optional<double> {
                               if (!(row.*member)) return std::nullopt;
                               return (*(row.*member)).*value;
                           },
                           [member, value](SweepRow& row, double v) {
                               if (!(row.*member)) row.*member = SweepAuc{};
                               (*(row.*member)).*value = v;
                           }});
    };
    auto count = [&](const std::string& name, std::size_t SweepAuc::*value) {
        columns.push_back({prefix + name,
                           [member, value](const SweepRow& row) -> std::optional<double> {
                               if (!(row.*member)) return std::nullopt;
                               return static_cast<double>((*(row.*member)).*value);
                           },
                           [member, value](SweepRow& row, double v) {
                               if (!(row.*member)) row.*member = SweepAuc{};
                               (*(row.*member)).*value = static_cast<std::size_t>(v);
                           }});
    };
    field("auc", &SweepAuc::auc);
    field("ci_low", &SweepAuc::ci_low);
    field("ci_high", &SweepAuc::ci_high);
    count("positives", &SweepAuc::positives);
    count("negatives", &SweepAuc::negatives);
}

void addAttackColumns(std::vector<NumericColumn>& columns, SweepAttacker attacker, const std::string& protocol,
                      SweepAttackFigures SweepAttackerFigures::*which) {
    const std::string prefix = std::string(sweepAttackerName(attacker)) + "_" + protocol + "_";
    auto field = [&](const std::string& name, std::optional<double> SweepAttackFigures::*value) {
        columns.push_back({prefix + name,
                           [=](const SweepRow& row) { return attackerFigures(row, attacker).*which.*value; },
                           [=](SweepRow& row, double v) { attackerFigures(row, attacker).*which.*value = v; }});
    };
    auto count = [&](const std::string& name, std::optional<std::size_t> SweepAttackFigures::*value) {
        columns.push_back({prefix + name,
                           [=](const SweepRow& row) { return asDouble(attackerFigures(row, attacker).*which.*value); },
                           [=](SweepRow& row, double v) {
                               attackerFigures(row, attacker).*which.*value = static_cast<std::size_t>(v);
                           }});
    };
    field("top1", &SweepAttackFigures::top1_rate);
    count("top1_hits", &SweepAttackFigures::top1_hits);
    count("films_hit", &SweepAttackFigures::films_hit);
    field("top1_ci_low", &SweepAttackFigures::top1_ci_low);
    field("top1_ci_high", &SweepAttackFigures::top1_ci_high);
    field("chance", &SweepAttackFigures::chance_rate);
    field("verification_auc", &SweepAttackFigures::verification_auc);
    field("verification_ci_low", &SweepAttackFigures::verification_ci_low);
    field("verification_ci_high", &SweepAttackFigures::verification_ci_high);
    field("tpr_at_fpr_1pct", &SweepAttackFigures::tpr_at_fpr_1pct);
    field("tpr_at_fpr_01pct", &SweepAttackFigures::tpr_at_fpr_01pct);
    count("probes", &SweepAttackFigures::probes);
    field("chance_given_disclosed", &SweepAttackFigures::chance_given_disclosed);
    field("verification_within_disclosed_auc", &SweepAttackFigures::verification_within_disclosed_auc);
    field("verification_within_disclosed_ci_low", &SweepAttackFigures::verification_within_disclosed_ci_low);
    field("verification_within_disclosed_ci_high", &SweepAttackFigures::verification_within_disclosed_ci_high);
}

const std::vector<NumericColumn>& numericColumns() {
    static const std::vector<NumericColumn> columns = [] {
        std::vector<NumericColumn> c;
        c.push_back({"epsilon", [](const SweepRow& r) -> std::optional<double> { return r.epsilon; },
                     [](SweepRow& r, double v) { r.epsilon = v; }});
        c.push_back({"noise_scale", [](const SweepRow& r) { return r.noise_scale; },
                     [](SweepRow& r, double v) { r.noise_scale = v; }});
        c.push_back({"test_images",
                     [](const SweepRow& r) -> std::optional<double> { return static_cast<double>(r.test_images); },
                     [](SweepRow& r, double v) { r.test_images = static_cast<std::size_t>(v); }});
        c.push_back({"nonfinite_images",
                     [](const SweepRow& r) -> std::optional<double> { return static_cast<double>(r.nonfinite_images); },
                     [](SweepRow& r, double v) { r.nonfinite_images = static_cast<std::size_t>(v); }});
        addAucColumns(c, "a_", &SweepRow::protocol_a);
        addAucColumns(c, "b_", &SweepRow::protocol_b);
        addAucColumns(c, "ib_", &SweepRow::image_borne);
        using Optional = std::optional<double> SweepRow::*;
        for (const auto& [name, field] : {std::pair<const char*, Optional>{"within_label_concordance", &SweepRow::within_label_concordance},
                                          {"ib_difference", &SweepRow::image_borne_difference},
                                          {"ib_difference_low", &SweepRow::image_borne_difference_low},
                                          {"ib_difference_high", &SweepRow::image_borne_difference_high},
                                          {"ib_difference_p", &SweepRow::image_borne_difference_p}})
            c.push_back({name, [field = field](const SweepRow& r) { return r.*field; },
                         [field = field](SweepRow& r, double v) { r.*field = v; }});
        addAucColumns(c, "ib_matched_", &SweepRow::image_borne_matched);
        for (const auto& [name, field] : {std::pair<const char*, Optional>{"ib_matched_difference", &SweepRow::image_borne_matched_difference},
                                          {"ib_matched_difference_low", &SweepRow::image_borne_matched_difference_low},
                                          {"ib_matched_difference_high", &SweepRow::image_borne_matched_difference_high},
                                          {"ib_matched_difference_p", &SweepRow::image_borne_matched_difference_p}})
            c.push_back({name, [field = field](const SweepRow& r) { return r.*field; },
                         [field = field](SweepRow& r, double v) { r.*field = v; }});
        c.push_back({"mean_ssim", [](const SweepRow& r) { return r.mean_ssim; },
                     [](SweepRow& r, double v) { r.mean_ssim = v; }});
        c.push_back({"mean_psnr", [](const SweepRow& r) { return r.mean_psnr; },
                     [](SweepRow& r, double v) { r.mean_psnr = v; }});
        for (SweepAttacker attacker : kSweepAttackers) {
            addAttackColumns(c, attacker, "reid", &SweepAttackerFigures::identification);
            addAttackColumns(c, attacker, "linkage", &SweepAttackerFigures::linkage);
        }
        return c;
    }();
    return columns;
}

std::string formatNumber(double value) {
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    if (std::isnan(value)) return "nan";
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
    return buffer;
}

double parseNumber(const std::string& text, const std::filesystem::path& file, std::size_t line,
                   const std::string& column) {
    errno = 0;
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0')
        throw std::runtime_error(file.string() + ", line " + std::to_string(line) + ": column " + column +
                                 " holds \"" + text + "\", not a number");
    return value;
}

// Non-finite numbers are not JSON; they travel as the strings the CSV uses.
Json numberToJson(double value) {
    if (std::isfinite(value)) return value;
    return formatNumber(value);
}

double numberFromJson(const Json& value, const std::string& what) {
    if (value.is_number()) return value.get<double>();
    if (value.is_string()) {
        const std::string text = value.get<std::string>();
        char* end = nullptr;
        const double parsed = std::strtod(text.c_str(), &end);
        if (end != text.c_str() && *end == '\0') return parsed;
    }
    throw std::runtime_error(what + " is not a number");
}

std::vector<std::string> splitCsvLine(const std::string& line) {
    std::vector<std::string> fields;
    std::string field;
    std::istringstream stream(line);
    while (std::getline(stream, field, ',')) fields.push_back(field);
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    return fields;
}

// Writes to a temporary beside `path` and renames it over, so readers never see a partial file.
void writeAtomically(const std::filesystem::path& path, const std::string& content) {
    const std::filesystem::path temporary =
        path.parent_path() / ("." + path.filename().string() + "." + std::to_string(::getpid()) + ".partial");
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << content;
        out.flush();
        if (!out) throw std::runtime_error("cannot write " + temporary.string() + ": " + std::strerror(errno));
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) {
        std::filesystem::remove(temporary);
        throw std::runtime_error("cannot write " + path.string() + ": " + error.message());
    }
}


SweepSettings settingsFromJson(const Json& j) {
    SweepSettings s;
    s.model_path = j.at("model").get<std::string>();
    s.classifier_path = j.at("classifier").get<std::string>();
    s.data_path = j.at("data").get<std::string>();
    s.mechanisms = j.at("mechanisms").get<std::vector<std::string>>();
    for (const Json& eps : j.at("epsilons")) s.epsilons.push_back(numberFromJson(eps, "settings.epsilons"));
    s.protocol_a = j.at("protocol_a").get<bool>();
    s.protocol_b = j.at("protocol_b").get<bool>();
    s.protocol_b_epochs = integerAt<int>(j, "protocol_b_epochs");
    s.protocol_b_max_training_images = integerAt<std::size_t>(j, "protocol_b_max_training_images");
    s.reidentification = j.at("reidentification").get<bool>();
    s.embedding_steps = integerAt<int>(j, "embedding_steps");
    s.attack_draws = j.value("attack_draws", 1);
    s.embedding_path = j.value("embedding", std::string());
    s.linkage_embedding_path = j.value("linkage_embedding", std::string());
    s.split = j.at("split").get<std::string>();
    s.training_split = j.at("training_split").get<std::string>();
    s.label_column = j.at("label_column").get<std::string>();
    s.patient_column = j.at("patient_column").get<std::string>();
    s.max_images = integerAt<std::size_t>(j, "max_images");
    s.keep_attributes = j.at("keep_attributes").get<std::vector<std::string>>();
    s.protect_attributes = j.at("protect_attributes").get<std::vector<std::string>>();
    s.latent_decoding = j.value("latent_decoding", std::string("unrecorded"));
    s.allocations = j.value("allocations", std::vector<std::string>{});
    s.image_borne_attribute = j.value("image_borne_attribute", std::string());
    s.image_borne_as_released = j.value("image_borne_as_released", false);
    s.seed = integerAt<std::uint64_t>(j, "seed");
    return s;
}

Json rowToJson(const SweepRow& row) {
    Json j = Json::object();
    j["mechanism"] = row.mechanism;
    for (const NumericColumn& column : numericColumns()) {
        const std::optional<double> value = column.get(row);
        j[column.name] = value ? numberToJson(*value) : Json(nullptr);
    }
    if (!row.image_borne_scores.empty()) j["image_borne_scores"] = row.image_borne_scores;
    if (!row.disclosed_strata.empty()) j["disclosed_strata"] = row.disclosed_strata;
    return j;
}

std::string csvLine(const SweepRow& row) {
    std::string line = row.mechanism;
    for (const NumericColumn& column : numericColumns()) {
        line += ',';
        if (const std::optional<double> value = column.get(row)) line += formatNumber(*value);
    }
    return line + '\n';
}

}  // namespace

nlohmann::ordered_json sweepSettingsToJson(const SweepSettings& s) {
    Json epsilons = Json::array();
    for (double eps : s.epsilons) epsilons.push_back(numberToJson(eps));
    return Json{{"model", s.model_path},
                {"classifier", s.classifier_path},
                {"data", s.data_path},
                {"mechanisms", s.mechanisms},
                {"epsilons", epsilons},
                {"protocol_a", s.protocol_a},
                {"protocol_b", s.protocol_b},
                {"protocol_b_epochs", s.protocol_b_epochs},
                {"protocol_b_max_training_images", s.protocol_b_max_training_images},
                {"reidentification", s.reidentification},
                {"attack_draws", s.attack_draws},
                {"embedding_steps", s.embedding_steps},
                {"embedding", s.embedding_path},
                {"linkage_embedding", s.linkage_embedding_path},
                {"split", s.split},
                {"training_split", s.training_split},
                {"label_column", s.label_column},
                {"patient_column", s.patient_column},
                {"max_images", s.max_images},
                {"keep_attributes", s.keep_attributes},
                {"protect_attributes", s.protect_attributes},
                {"latent_decoding", s.latent_decoding},
                {"allocations", s.allocations},
                {"image_borne_attribute", s.image_borne_attribute},
                {"image_borne_as_released", s.image_borne_as_released},
                {"seed", s.seed}};
}

std::vector<std::string> sweepCsvColumns() {
    std::vector<std::string> names{"mechanism"};
    for (const NumericColumn& column : numericColumns()) names.push_back(column.name);
    return names;
}

std::filesystem::path sweepJsonPath(const std::filesystem::path& csv_path) {
    std::filesystem::path json = csv_path;
    json.replace_extension(".json");
    return json;
}

void writeSweepResults(const SweepResults& results, const std::filesystem::path& csv_path) {
    std::string csv;
    const std::vector<std::string> names = sweepCsvColumns();
    for (std::size_t i = 0; i < names.size(); ++i) csv += (i ? "," : "") + names[i];
    csv += '\n';
    Json rows = Json::array();
    if (results.original) {
        csv += csvLine(*results.original);
        rows.push_back(rowToJson(*results.original));
    }
    for (const SweepRow& row : results.rows) {
        csv += csvLine(row);
        rows.push_back(rowToJson(row));
    }
    const Json document{{"format", "dpflow-sweep-results"},
                        {"version", 1},
                        {"results_csv", csv_path.filename().string()},
                        {"created_utc", results.created_utc},
                        {"wall_seconds", results.wall_seconds},
                        {"cache_key", results.cache_key},
                        {"hashes",
                         {{"model_sha256", results.hashes.model_sha256},
                          {"classifier_sha256", results.hashes.classifier_sha256},
                          {"embedding_sha256", results.hashes.embedding_sha256},
                          {"linkage_embedding_sha256", results.hashes.linkage_embedding_sha256},
                          {"allocation_sha256", results.hashes.allocation_sha256},
                          {"data_sha256", results.hashes.data_sha256}}},
                        {"settings", sweepSettingsToJson(results.settings)},
                        {"has_original_row", results.original.has_value()},
                        {"test_labels", results.test_labels},
                        {"rows", rows}};
    writeAtomically(csv_path, csv);
    writeAtomically(sweepJsonPath(csv_path), document.dump(2) + "\n");
}

SweepResults readSweepResults(const std::filesystem::path& csv_path) {
    const std::filesystem::path json_path = sweepJsonPath(csv_path);
    SweepResults results;
    Json document;
    {
        std::ifstream in(json_path);
        if (!in) throw std::runtime_error("cannot read " + json_path.string() + ": " + std::strerror(errno));
        try {
            document = Json::parse(in);
            if (document.value("format", "") != "dpflow-sweep-results")
                throw std::runtime_error("not a dpflow sweep results file");
            results.created_utc = document.at("created_utc").get<std::string>();
            results.wall_seconds = document.at("wall_seconds").get<double>();
            results.cache_key = document.at("cache_key").get<std::string>();
            const Json& hashes = document.at("hashes");
            results.hashes.model_sha256 = hashes.at("model_sha256").get<std::string>();
            results.hashes.classifier_sha256 = hashes.at("classifier_sha256").get<std::string>();
            results.hashes.embedding_sha256 = hashes.value("embedding_sha256", std::string());
            results.hashes.linkage_embedding_sha256 = hashes.value("linkage_embedding_sha256", std::string());
            results.hashes.data_sha256 = hashes.at("data_sha256").get<std::string>();
            results.hashes.allocation_sha256 = hashes.value("allocation_sha256", std::vector<std::string>{});
            results.settings = settingsFromJson(document.at("settings"));
        } catch (const std::runtime_error& error) {
            throw std::runtime_error(json_path.string() + ": " + error.what());
        } catch (const nlohmann::json::exception& error) {
            throw std::runtime_error(json_path.string() + ": " + error.what());
        }
    }

    std::ifstream in(csv_path);
    if (!in) throw std::runtime_error("cannot read " + csv_path.string() + ": " + std::strerror(errno));
    std::string line;
    if (!std::getline(in, line)) throw std::runtime_error(csv_path.string() + " is empty (no header)");
    const std::vector<std::string> header = splitCsvLine(line);
    if (header.empty() || header[0] != "mechanism")
        throw std::runtime_error(csv_path.string() + ": the header does not start with \"mechanism\"");
    std::vector<const NumericColumn*> by_position(header.size(), nullptr);
    for (std::size_t i = 1; i < header.size(); ++i)
        for (const NumericColumn& column : numericColumns())
            if (column.name == header[i]) by_position[i] = &column;

    std::vector<SweepRow> rows;
    for (std::size_t line_number = 2; std::getline(in, line); ++line_number) {
        if (line.empty()) continue;
        const std::vector<std::string> fields = splitCsvLine(line);
        if (fields.size() != header.size())
            throw std::runtime_error(csv_path.string() + ", line " + std::to_string(line_number) + ": " +
                                     std::to_string(fields.size()) + " fields, the header has " +
                                     std::to_string(header.size()));
        SweepRow row;
        row.mechanism = fields[0];
        for (std::size_t i = 1; i < fields.size(); ++i)
            if (by_position[i] && !fields[i].empty())
                by_position[i]->set(row, parseNumber(fields[i], csv_path, line_number, header[i]));
        rows.push_back(std::move(row));
    }
    const std::size_t expected = document.at("rows").size();
    if (rows.size() != expected)
        throw std::runtime_error(csv_path.string() + " has " + std::to_string(rows.size()) + " rows but " +
                                 json_path.string() + " lists " + std::to_string(expected) +
                                 ": the pair is from different runs");
    // The per-film scores live in the JSON only.
    const Json& json_rows = document.at("rows");
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (json_rows[i].contains("image_borne_scores"))
            rows[i].image_borne_scores = json_rows[i].at("image_borne_scores").get<std::vector<double>>();
        if (json_rows[i].contains("disclosed_strata"))
            rows[i].disclosed_strata = json_rows[i].at("disclosed_strata").get<std::vector<int>>();
    }
    results.test_labels = document.value("test_labels", std::vector<int>{});
    const bool has_original = document.value("has_original_row", false);
    if (has_original && !rows.empty()) {
        results.original = rows.front();
        rows.erase(rows.begin());
    }
    results.rows = std::move(rows);
    return results;
}

}  // namespace dpflow
