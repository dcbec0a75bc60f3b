#include "pacs/label_join.h"

#include "image/csv_table.h"

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace dpflow {

LabelJoin parseLabelJoin(const std::string& text) {
    if (text == "accession") return LabelJoin::accession;
    if (text == "study") return LabelJoin::study;
    if (text == "sop") return LabelJoin::sop;
    throw std::invalid_argument("join '" + text + "' is not accession, study or sop");
}

const char* joinColumn(LabelJoin join) {
    switch (join) {
        case LabelJoin::accession: return "accession_number";
        case LabelJoin::study: return "study_instance_uid";
        case LabelJoin::sop: return "sop_instance_uid";
    }
    return "";
}

const std::vector<std::string>* LabelTable::find(const std::string& key) const {
    const auto it = rows.find(key);
    return it == rows.end() ? nullptr : &it->second;
}

LabelTable readLabelTable(const std::filesystem::path& path, LabelJoin join, const std::vector<std::string>& skip) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::invalid_argument(path.string() + ": cannot open the label file");
    const CsvTable table = parseCsvTable(in, path.string());
    const int key_column = table.columnIndex(joinColumn(join));
    if (key_column < 0) {
        throw std::invalid_argument(path.string() + ": no column '" + joinColumn(join) + "' to join on");
    }
    LabelTable labels;
    labels.join = join;
    std::vector<int> kept;
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        const std::string& name = table.columns[c];
        const bool identifier = name == "file" || name == "accession_number" || name == "study_instance_uid" ||
                                name == "sop_instance_uid" || name == "series_instance_uid";
        if (identifier || std::find(skip.begin(), skip.end(), name) != skip.end()) continue;
        labels.columns.push_back(name);
        kept.push_back(static_cast<int>(c));
    }
    for (const auto& row : table.rows) {
        const std::string& key = row[static_cast<std::size_t>(key_column)];
        if (key.empty()) continue;
        std::vector<std::string> values;
        for (const int c : kept) values.push_back(row[static_cast<std::size_t>(c)]);
        if (const auto bad = labels.ambiguous.find(key); bad != labels.ambiguous.end()) {
            ++bad->second;
            continue;
        }
        const auto [it, inserted] = labels.rows.emplace(key, values);
        if (!inserted && it->second != values) {
            labels.ambiguous[key] = 2;
            labels.rows.erase(it);
        }
    }
    return labels;
}

}  // namespace dpflow
