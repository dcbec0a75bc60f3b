#include "pacs/pacs_retrieve.h"

#include "pacs/pacs_cache.h"
#include "pacs/pacs_connection.h"
#include "pacs/pacs_error.h"

namespace dpflow {
namespace {

struct InstanceRef {
    std::string study, series, sop;
};

std::string valueOr(const QueryMatch& match, const char* keyword) {
    const auto it = match.find(keyword);
    return it == match.end() ? std::string() : it->second;
}

}  // namespace

RetrieveSummary retrieveToCache(const RetrieveOptions& options) {
    PacsCache cache(options.cache_dir);
    PacsConnection connection(options.peer, options.our_ae_title, PacsService::query_retrieve);
    RetrieveSummary summary;
    const auto studies = connection.find(QueryLevel::study, options.keys);
    summary.studies = studies.size();

    // Hierarchical queries (series of each study, then instances of each series), as strict SCPs
    // require; instances that are not radiographs (reports, presentation states) are skipped.
    std::vector<InstanceRef> instances;
    try {
        for (const auto& study : studies) {
            const std::string study_uid = valueOr(study, "StudyInstanceUID");
            if (study_uid.empty()) continue;
            for (const auto& series : connection.find(QueryLevel::series, {{"StudyInstanceUID", study_uid}})) {
                const std::string series_uid = valueOr(series, "SeriesInstanceUID");
                if (series_uid.empty()) continue;
                for (const auto& image :
                     connection.find(QueryLevel::image, {{"StudyInstanceUID", study_uid}, {"SeriesInstanceUID", series_uid}})) {
                    if (!isRetrievableClass(valueOr(image, "SOPClassUID"))) {
                        ++summary.skipped;
                        continue;
                    }
                    instances.push_back({study_uid, series_uid, valueOr(image, "SOPInstanceUID")});
                }
            }
        }
    } catch (const PacsError& e) {
        summary.broke_off = e.what();
    }
    RetrieveProgress& counts = summary.counts;
    counts.total = instances.size();
    for (const auto& instance : instances) {
        if (summary.broke_off.empty() && !summary.cancelled && options.cancel != nullptr && options.cancel->load()) {
            summary.cancelled = true;
        }
        if (summary.cancelled || !summary.broke_off.empty()) {
            if (cache.holds(instance.study, instance.series, instance.sop)) {
                ++counts.already_cached;  // held from an earlier run: not a failure
                continue;
            }
            summary.failures.push_back({instance.sop, summary.cancelled ? "not retrieved: cancelled"
                                                                        : "not retrieved: the retrieve broke off"});
            continue;
        }
        if (cache.holds(instance.study, instance.series, instance.sop)) {
            ++counts.already_cached;
        } else {
            InstanceOutcome outcome;
            try {
                outcome = connection.getInstance(instance.study, instance.series, instance.sop,
                                                 cache.instancePath(instance.study, instance.series, instance.sop));
            } catch (const std::invalid_argument& e) {
                outcome = {false, e.what()};
            } catch (const PacsError& e) {
                summary.broke_off = e.what();
                // The instance may have arrived whole before the association broke: it counts then.
                outcome = {cache.holds(instance.study, instance.series, instance.sop), e.what()};
            }
            if (outcome.ok) {
                ++counts.fetched;
            } else {
                ++counts.failed;
                summary.failures.push_back({instance.sop, outcome.reason});
            }
        }
        ++counts.done;
        if (options.on_instance) options.on_instance(counts);
    }
    counts.failed = summary.failures.size();
    return summary;
}

}  // namespace dpflow
