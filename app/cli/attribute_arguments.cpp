#include "attribute_arguments.h"

#include <stdexcept>

namespace dpflow::cli {

AttributeValues parseAttributeValues(const std::vector<std::string>& items, const std::string& option) {
    AttributeValues values;
    for (const auto& item : items) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0) throw CLI::ValidationError(option, "expected NAME=VALUE, got '" + item + "'");
        values[item.substr(0, eq)] = item.substr(eq + 1);
    }
    return values;
}

AttributePolicy parseAttributePolicy(const std::vector<std::string>& keep, const std::vector<std::string>& protect) {
    try {
        return makeAttributePolicy(keep, protect);
    } catch (const std::invalid_argument& e) {
        throw CLI::ValidationError("--protect", e.what());
    }
}

}  // namespace dpflow::cli
