#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>

namespace dpflow {

/// $XDG_STATE_HOME/dpflow/pacs-audit.jsonl, else $HOME/.local/state/dpflow/pacs-audit.jsonl: the
/// trail of what was asked of which PACS and what came of it. It outlives the caches (a purge is
/// recorded in it too) and never holds PHI: queries by their keys' names and counts, not values.
std::filesystem::path defaultPacsAuditFile();

/// Appends `event` with its UTC time as one durable line (folders created 0700, file 0600).
void recordPacsEvent(const std::filesystem::path& audit_file, nlohmann::json event);

}  // namespace dpflow
