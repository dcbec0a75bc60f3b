#include "image/csv_table.h"

#include <algorithm>
#include <stdexcept>

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

}  // namespace

int CsvTable::columnIndex(const std::string& column) const {
    const auto it = std::find(columns.begin(), columns.end(), column);
    return it == columns.end() ? -1 : static_cast<int>(it - columns.begin());
}

CsvTable parseCsvTable(std::istream& in, const std::string& origin) {
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
        throw std::invalid_argument(origin + ":" + std::to_string(record_start) +
                                    ": unterminated quoted field (a quote opened on this line is never closed)");
    if (records.empty()) throw std::invalid_argument(origin + ": empty (no header row)");
    CsvTable table;
    table.columns = std::move(records.front());
    for (std::size_t r = 1; r < records.size(); ++r) {
        if (records[r].size() != table.columns.size())
            throw std::invalid_argument(origin + ":" + std::to_string(record_lines[r]) + ": " +
                                        std::to_string(records[r].size()) + " fields, the header has " +
                                        std::to_string(table.columns.size()));
        table.rows.push_back(std::move(records[r]));
    }
    return table;
}

}  // namespace dpflow
