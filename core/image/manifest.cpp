#include "image/manifest.h"

#include "image/csv_table.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace dpflow {
namespace {

std::string quoteCsvField(const std::string& field) {
    if (field.find_first_of(",\"\n\r") == std::string::npos) return field;
    std::string quoted = "\"";
    for (char c : field) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + '"';
}

}  // namespace

Manifest::Manifest(std::vector<std::string> columns, std::filesystem::path base_dir)
    : columns_(std::move(columns)), base_dir_(std::move(base_dir)) {
    if (std::find(columns_.begin(), columns_.end(), "file") == columns_.end())
        throw ManifestError("a manifest needs a 'file' column");
}

Manifest Manifest::read(const std::filesystem::path& csv_path) {
    std::ifstream in(csv_path, std::ios::binary);
    if (!in) throw ManifestError(csv_path.string() + ": cannot open the manifest");
    return parse(in, csv_path.string(), csv_path.parent_path());
}

Manifest Manifest::parse(std::istream& in, const std::string& origin, const std::filesystem::path& base_dir) {
    CsvTable table;
    try {
        table = parseCsvTable(in, origin);
    } catch (const std::invalid_argument& e) {
        throw ManifestError(e.what());
    }
    Manifest manifest(std::move(table.columns), base_dir);
    manifest.rows_ = std::move(table.rows);
    return manifest;
}

void Manifest::write(const std::filesystem::path& csv_path) const {
    std::ostringstream text;
    auto write_record = [&text](const std::vector<std::string>& fields) {
        for (std::size_t i = 0; i < fields.size(); ++i)
            text << (i ? "," : "") << quoteCsvField(fields[i]);
        text << '\n';
    };
    write_record(columns_);
    for (const auto& row : rows_) write_record(row);

    std::ofstream out(csv_path, std::ios::binary | std::ios::trunc);
    out << text.str();
    if (!out) throw ManifestError(csv_path.string() + ": cannot write the manifest");
}

void Manifest::addRow(std::vector<std::string> values) {
    if (values.size() != columns_.size())
        throw ManifestError("manifest row has " + std::to_string(values.size()) +
                            " values for " + std::to_string(columns_.size()) + " columns");
    rows_.push_back(std::move(values));
}

bool Manifest::hasColumn(const std::string& column) const {
    return std::find(columns_.begin(), columns_.end(), column) != columns_.end();
}

std::size_t Manifest::columnIndex(const std::string& column) const {
    auto it = std::find(columns_.begin(), columns_.end(), column);
    if (it == columns_.end()) throw ManifestError("the manifest has no column '" + column + "'");
    return static_cast<std::size_t>(it - columns_.begin());
}

std::filesystem::path Manifest::file(std::size_t row) const {
    std::filesystem::path path = value(row, "file");
    return path.is_absolute() ? path : base_dir_ / path;
}

const std::string& Manifest::value(std::size_t row, const std::string& column) const {
    return rows_.at(row)[columnIndex(column)];
}

std::vector<std::size_t> Manifest::rowsInSplit(const std::string& split) const {
    std::vector<std::size_t> selected;
    const bool all = split.empty();
    const std::size_t split_column = all ? 0 : columnIndex("split");
    for (std::size_t r = 0; r < rows_.size(); ++r)
        if (all || rows_[r][split_column] == split) selected.push_back(r);
    return selected;
}

}  // namespace dpflow
