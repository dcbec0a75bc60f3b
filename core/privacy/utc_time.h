#pragma once

#include <string>

namespace dpflow {

/// The current time as ISO 8601 UTC with seconds, e.g. "2026-11-22T21:04:05Z": the stamp of
/// ledger entries and release records.
std::string currentUtcTimestamp();

}  // namespace dpflow
