#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>

namespace dpflow {

/// Appends `event` to the audit trail `trail_file` (JSON lines) with its UTC time as "time_utc",
/// as one durable line (appendJsonLine). The release's trail and the PACS trail are written
/// through here. Throws std::runtime_error.
void appendAuditEvent(const std::filesystem::path& trail_file, nlohmann::json event);

}  // namespace dpflow
