#include "image/manifest.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace dpflow {
namespace {

// Splits one CSV record, honouring double-quoted fields with "" escapes. A record may span
// lines when a quoted field holds a newline, so the reader passes whole records.
std::vector<std::string> splitCsvRecord(const std::string& record, bool& unterminated_quote) {
    std::vector<std::string> fields(1);
    bool in_quotes = false;
    for (std::size_t i = 0; i < record.size(); ++i) {
        const char c = record[i];
        if (in_quotes) {
            if (c == '"' && i + 1 < record.size() && record[i + 1] == '"') {
                fields.back() += '"';
                ++i;
            } else if (c == '"') {
                in_quotes = false;
            } else {
                fields.back() += c;
            }
        } else if (c == '"') {
            in_quotes = true;
        } else if (c == ',') {
            fields.emplace_back();
        } else if (c != '\r') {
            fields.back() += c;
        }
    }
    unterminated_quote = in_quotes;
    return fields;
}

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

    std::vector<std::vector<std::string>> records;
    std::vector<std::size_t> record_lines;
    std::string line, pending;
    std::size_t line_number = 0, pending_start = 0;
    while (std::getline(in, line)) {
        ++line_number;
        if (pending.empty()) pending_start = line_number;
        pending += line;
        bool unterminated = false;
        auto fields = splitCsvRecord(pending, unterminated);
        if (unterminated) {
            pending += '\n';
            continue;
        }
        if (!(fields.size() == 1 && fields[0].empty())) {
            records.push_back(std::move(fields));
            record_lines.push_back(pending_start);
        }
        pending.clear();
    }
    if (!pending.empty())
        throw ManifestError(csv_path.string() + ":" + std::to_string(pending_start) +
                            ": unterminated quoted field");
    if (records.empty()) throw ManifestError(csv_path.string() + ": the manifest is empty");

    Manifest manifest(records.front(), csv_path.parent_path());
    for (std::size_t r = 1; r < records.size(); ++r) {
        if (records[r].size() != manifest.columns_.size())
            throw ManifestError(csv_path.string() + ":" + std::to_string(record_lines[r]) + ": " +
                                std::to_string(records[r].size()) + " fields, the header has " +
                                std::to_string(manifest.columns_.size()));
        manifest.rows_.push_back(std::move(records[r]));
    }
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
