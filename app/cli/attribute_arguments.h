#pragma once

#include "flow/flow_config.h"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace dpflow::cli {

/// Parses repeated NAME=VALUE arguments of `option` (e.g. "--attr") into attribute values.
/// Throws CLI::ValidationError naming the option and the malformed item (a usage error).
AttributeValues parseAttributeValues(const std::vector<std::string>& items, const std::string& option);

}  // namespace dpflow::cli
