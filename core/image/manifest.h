#pragma once

#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace dpflow {

/// Thrown for a manifest that cannot be read or is inconsistent; the message names the file
/// and line.
class ManifestError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A dataset manifest: a CSV table with a header row, one row per image, and a `file` column
/// holding paths relative to the manifest's folder (absolute paths are kept as they are).
/// Other columns are free: `split`, labels, attributes, patient ids.
class Manifest {
public:
    /// An empty manifest with the given columns (one must be "file") whose relative paths
    /// resolve against `base_dir`.
    Manifest(std::vector<std::string> columns, std::filesystem::path base_dir);

    /// Reads a CSV manifest (RFC 4180 quoting). Throws ManifestError on a missing file, a
    /// missing `file` column, or a row with the wrong number of fields.
    static Manifest read(const std::filesystem::path& csv_path);

    /// As read, from a stream: `origin` names it in errors and relative paths resolve against
    /// `base_dir`. Every byte is looked at once, so a stray quote that turns the rest of a large
    /// file into one field is refused in linear time, naming the line where the field began.
    static Manifest parse(std::istream& in, const std::string& origin, const std::filesystem::path& base_dir);

    /// Writes the table as CSV, quoting fields that need it. Throws ManifestError.
    void write(const std::filesystem::path& csv_path) const;

    /// Appends a row; `values` are in column order. Throws ManifestError on a size mismatch.
    void addRow(std::vector<std::string> values);

    const std::vector<std::string>& columns() const { return columns_; }
    bool hasColumn(const std::string& column) const;
    std::size_t size() const { return rows_.size(); }
    const std::filesystem::path& baseDir() const { return base_dir_; }

    /// The row's `file`, resolved against the manifest's folder.
    std::filesystem::path file(std::size_t row) const;

    /// The row's value in `column`. Throws ManifestError if the column does not exist.
    const std::string& value(std::size_t row, const std::string& column) const;

    /// Indices of the rows whose `split` column equals `split` (all rows if `split` is empty).
    std::vector<std::size_t> rowsInSplit(const std::string& split) const;

private:
    std::size_t columnIndex(const std::string& column) const;

    std::vector<std::string> columns_;
    std::filesystem::path base_dir_;
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace dpflow
