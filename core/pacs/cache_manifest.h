#pragma once

#include "pacs/label_join.h"
#include "pacs/pacs_cache.h"

#include <optional>
#include <string>
#include <vector>

namespace dpflow {

/// An instance of the cache that the manifest lists without labels, and why.
struct UnlabelledInstance {
    std::string file;    ///< relative to the cache
    std::string reason;  ///< "no row with accession_number ACC..." or "rows disagree ..."
};

struct CacheManifestSummary {
    std::size_t instances = 0;
    std::size_t labelled = 0;
    std::vector<UnlabelledInstance> unlabelled;  ///< only when labels were given
};

/// The manifest columns taken from each instance's header, before any label columns.
const std::vector<std::string>& cacheManifestHeaderColumns();

/// Writes cache.manifestPath() (0600, atomically) listing every instance of the cache: `file`
/// (relative), the identifiers (study_instance_uid, series_instance_uid, sop_instance_uid,
/// accession_number), the attributes its header states (sex from PatientSex, view from
/// ViewPosition, age from PatientAge; empty when the header has none), then the label
/// columns joined from `labels`. An instance no label row matches keeps empty label values and
/// is listed in the summary: a label is never guessed.
CacheManifestSummary writeCacheManifest(const PacsCache& cache, const std::optional<LabelTable>& labels);

}  // namespace dpflow
