#include "release/audit_trail.h"

#include "privacy/utc_time.h"
#include "release/durable_files.h"

namespace dpflow {

void appendAuditEvent(const std::filesystem::path& trail_file, nlohmann::json event) {
    event["time_utc"] = currentUtcTimestamp();
    appendJsonLine(trail_file, event);
}

}  // namespace dpflow
