#include "pacs/cache_manifest.h"

#include "image/dicom_header_values.h"
#include "image/manifest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>

namespace dpflow {
namespace fs = std::filesystem;

const std::vector<std::string>& cacheManifestHeaderColumns() {
    static const std::vector<std::string> columns = {"file", "study_instance_uid", "series_instance_uid", "sop_instance_uid",
                                                     "accession_number", "sex", "view", "age"};
    return columns;
}

CacheManifestSummary writeCacheManifest(const PacsCache& cache, const std::optional<LabelTable>& labels) {
    // Header keyword for each header column after `file`, in order.
    static const std::vector<std::string> keywords = {"StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID",
                                                      "AccessionNumber", "PatientSex", "ViewPosition", "PatientAge"};
    std::vector<std::string> columns = cacheManifestHeaderColumns();
    if (labels) columns.insert(columns.end(), labels->columns.begin(), labels->columns.end());
    Manifest manifest(columns, cache.root());
    CacheManifestSummary summary;
    for (const auto& path : cache.instanceFiles()) {
        const auto header = readDicomHeaderValues(path, keywords);
        const std::string relative = fs::relative(path, cache.root()).string();
        std::vector<std::string> row = {relative};
        for (const auto& keyword : keywords) {
            const auto it = header.find(keyword);
            row.push_back(it == header.end() ? "" : it->second);
        }
        if (labels) {
            // row[1..4] are study, series, sop, accession.
            const std::string& key = labels->join == LabelJoin::accession ? row[4]
                                     : labels->join == LabelJoin::study   ? row[1]
                                                                          : row[3];
            const auto* values = labels->find(key);
            if (values != nullptr) {
                row.insert(row.end(), values->begin(), values->end());
                ++summary.labelled;
            } else {
                row.resize(columns.size());
                const bool ambiguous = labels->ambiguous.count(key) != 0;
                summary.unlabelled.push_back(
                    {relative, key.empty() ? std::string("its header has no ") + joinColumn(labels->join)
                               : ambiguous ? "rows with " + std::string(joinColumn(labels->join)) + " " + key + " disagree"
                                           : "no row with " + std::string(joinColumn(labels->join)) + " " + key});
            }
        }
        manifest.addRow(std::move(row));
        ++summary.instances;
    }
    const fs::path partial = cache.root() / (".manifest.csv." + std::to_string(::getpid()) + ".partial");
    manifest.write(partial);
    const int fd = ::open(partial.c_str(), O_RDONLY);
    const bool durable = fd >= 0 && ::fchmod(fd, 0600) == 0 && ::fsync(fd) == 0;
    if (fd >= 0) ::close(fd);
    if (!durable) throw std::runtime_error(partial.string() + ": cannot make it private and durable");
    fs::rename(partial, cache.manifestPath());
    return summary;
}

}  // namespace dpflow
