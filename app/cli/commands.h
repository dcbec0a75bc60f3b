#pragma once

#include <CLI/CLI.hpp>

namespace dpflow::cli {

// Each function adds one `dpflow` subcommand to `app`. The subcommand's callback does the
// work through dpflow_core and stores its exit status in `exit_code` (0 success, 1 failure of
// the work itself; usage errors are reported by main with status 2).

void registerInfoCommand(CLI::App& app, int& exit_code);
void registerConvertCommand(CLI::App& app, int& exit_code);
void registerPhantomCommand(CLI::App& app, int& exit_code);
void registerFlowCommands(CLI::App& app, int& exit_code);  // train, model-info, roundtrip
void registerClassifierCommands(CLI::App& app, int& exit_code);  // classifier train, classifier eval
void registerReidCommands(CLI::App& app, int& exit_code);  // reid, reid-embedding
void registerPrivatizeCommand(CLI::App& app, int& exit_code);  // privatize, bench-sampler

}  // namespace dpflow::cli
