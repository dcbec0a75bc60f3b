#pragma once

#include "pacs/pacs_peer.h"
#include "pacs/pacs_query.h"

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace dpflow {

/// Where a retrieve stands after each instance.
struct RetrieveProgress {
    std::size_t done = 0;            ///< instances handled so far (fetched, already held or failed)
    std::size_t total = 0;           ///< instances the query matched
    std::size_t fetched = 0;
    std::size_t already_cached = 0;
    std::size_t failed = 0;
};

struct RetrieveOptions {
    PacsPeer peer;
    std::string our_ae_title = "DPFLOW";
    std::vector<QueryKey> keys;                  ///< study-level matching keys
    std::filesystem::path cache_dir;
    std::function<void(const RetrieveProgress&)> on_instance;  ///< after each instance
    const std::atomic<bool>* cancel = nullptr;   ///< set to stop between two instances
};

struct RetrieveFailure {
    std::string sop_instance_uid;
    std::string reason;
};

struct RetrieveSummary {
    std::size_t studies = 0;
    std::size_t skipped = 0;  ///< instances of other SOP classes than radiographs (not retrieved, not failures)
    RetrieveProgress counts;
    std::vector<RetrieveFailure> failures;  ///< one per instance not in the cache at the end
    bool cancelled = false;
    std::string broke_off;  ///< why the association ended early (empty when it did not)
};

/// Retrieves every instance of the studies matching `keys` into the cache at `cache_dir` by
/// C-GET, one instance at a time: a C-FIND at study level, then at series level per study and at
/// image level per series, then a C-GET for each radiograph instance the cache does not hold yet. An instance is in the cache only
/// once whole, so an interrupted retrieve keeps what is complete and a re-run fetches only the
/// rest. Throws PacsError when the peer cannot be reached or the study query fails; a break
/// after that ends the retrieve and is reported in the summary.
RetrieveSummary retrieveToCache(const RetrieveOptions& options);

}  // namespace dpflow
