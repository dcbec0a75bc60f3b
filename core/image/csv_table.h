#pragma once

#include <istream>
#include <string>
#include <vector>

namespace dpflow {

/// A CSV table: the header row's column names and the records after it, each with exactly as
/// many fields as there are columns (RFC 4180 quoting, "" escapes, quoted newlines; blank lines
/// skipped; a trailing CR dropped).
struct CsvTable {
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;

    /// The position of `column`, or -1 when the table has none.
    int columnIndex(const std::string& column) const;
};

/// Reads a table from `in`. Every byte is looked at once, so a stray quote that turns the rest of
/// a large file into one field is refused in linear time, naming the line where the field began.
/// Throws std::invalid_argument "ORIGIN:LINE: reason" for an unterminated quote, an empty input
/// or a record with the wrong number of fields.
CsvTable parseCsvTable(std::istream& in, const std::string& origin);

}  // namespace dpflow
