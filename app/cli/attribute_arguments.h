#pragma once

#include "flow/flow_config.h"
#include "privacy/attribute_policy.h"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace dpflow::cli {

/// Parses repeated NAME=VALUE arguments of `option` (e.g. "--attr") into attribute values.
/// Throws CLI::ValidationError naming the option and the malformed item (a usage error).
AttributeValues parseAttributeValues(const std::vector<std::string>& items, const std::string& option);

/// The attribute treatments of --keep NAME,... and --protect NAME:EPS,... (makeAttributePolicy).
/// Throws CLI::ValidationError naming --protect for a malformed item (a usage error).
AttributePolicy parseAttributePolicy(const std::vector<std::string>& keep, const std::vector<std::string>& protect);

}  // namespace dpflow::cli
