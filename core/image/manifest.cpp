#include "image/manifest.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace dpflow {
namespace {

// Assembles CSV records line by line, honouring double-quoted fields with "" escapes; a record
// spans lines when a quoted field holds a newline. The state carries over from one line to the
// next, so each character is read once however long a record grows.
class CsvRecordReader {
public:
    // Feeds one line (without its newline). Returns true when it completed a record.
    bool feed(const std::string& line) {
        if (in_quotes_) fields_.back() += '\n';  // the newline belonged to a quoted field
        for (std::size_t i = 0; i < line.size(); ++i) {
            const char c = line[i];
            if (in_quotes_) {
                if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                    fields_.back() += '"';
                    ++i;
                } else if (c == '"') {
                    in_quotes_ = false;
                } else {
                    fields_.back() += c;
                }
            } else if (c == '"') {
                in_quotes_ = true;
            } else if (c == ',') {
                fields_.emplace_back();
            } else if (c != '\r') {
                fields_.back() += c;
            }
        }
        return !in_quotes_;
    }
    // The completed record; the reader starts the next one.
    std::vector<std::string> take() {
        std::vector<std::string> record = std::move(fields_);
        fields_.assign(1, std::string());
        return record;
    }
    bool insideQuotes() const { return in_quotes_; }

private:
    std::vector<std::string> fields_ = std::vector<std::string>(1);
    bool in_quotes_ = false;
};

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
    std::vector<std::vector<std::string>> records;
    std::vector<std::size_t> record_lines;
    CsvRecordReader reader;
    std::string line;
    std::size_t line_number = 0, record_start = 1;
    while (std::getline(in, line)) {
        ++line_number;
        if (!reader.insideQuotes()) record_start = line_number;
        if (!reader.feed(line)) continue;
        std::vector<std::string> fields = reader.take();
        if (!(fields.size() == 1 && fields[0].empty())) {
            records.push_back(std::move(fields));
            record_lines.push_back(record_start);
        }
    }
    if (reader.insideQuotes())
        throw ManifestError(origin + ":" + std::to_string(record_start) +
                            ": unterminated quoted field (a quote opened on this line is never closed)");
    if (records.empty()) throw ManifestError(origin + ": the manifest is empty");

    Manifest manifest(records.front(), base_dir);
    for (std::size_t r = 1; r < records.size(); ++r) {
        if (records[r].size() != manifest.columns_.size())
            throw ManifestError(origin + ":" + std::to_string(record_lines[r]) + ": " +
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
