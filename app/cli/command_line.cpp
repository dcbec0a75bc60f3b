#include "commands.h"

namespace dpflow::cli {

std::string commandLine(const CLI::App& command, const std::string& prefix) {
    std::string line = prefix;
    for (const auto* option : command.get_options()) {
        if (option->count() == 0 || option->get_name() == "--help") continue;
        if (option->get_type_size() == 0) {
            line += " " + option->get_name();
        } else {
            for (const auto& value : option->results()) line += " " + option->get_name() + " " + value;
        }
    }
    return line;
}

}  // namespace dpflow::cli
