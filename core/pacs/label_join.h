#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dpflow {

/// Which identifier joins a label file's rows to retrieved instances.
enum class LabelJoin { accession, study, sop };

/// "accession", "study", "sop". Throws std::invalid_argument.
LabelJoin parseLabelJoin(const std::string& text);

/// The label file's column for the join: accession_number, study_instance_uid, sop_instance_uid.
const char* joinColumn(LabelJoin join);

/// Values a PACS does not hold (a pathology label), from a CSV the user supplies, by join key.
struct LabelTable {
    LabelJoin join = LabelJoin::sop;
    std::vector<std::string> columns;  ///< the joined columns, in the file's order
    std::map<std::string, std::vector<std::string>> rows;  ///< join key -> values in `columns` order
    std::map<std::string, int> ambiguous;  ///< keys on rows that disagree -> how many rows: never guessed

    /// The values for `key`, or nothing when no row (or disagreeing rows) has it.
    const std::vector<std::string>* find(const std::string& key) const;
};

/// Reads a label CSV. Joined columns are every column but `file`, the three identifier columns
/// and those named in `skip` (values the headers give). Rows with an empty key are ignored; rows
/// that share a key and agree are one row, rows that share a key and disagree make it ambiguous.
/// Throws std::invalid_argument naming the file when it cannot be read or lacks the join column.
LabelTable readLabelTable(const std::filesystem::path& path, LabelJoin join, const std::vector<std::string>& skip);

}  // namespace dpflow
