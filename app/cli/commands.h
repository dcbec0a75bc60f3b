#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace dpflow::cli {

// Each function adds one `dpflow` subcommand to `app`. The subcommand's callback does the
// work through dpflow_core and stores its exit status in `exit_code` (0 success, 1 failure of
// the work itself; usage errors are reported by main with status 2).

/// The command as it was given, for a model card: `prefix` followed by every option set on the
/// line with its values ("dpflow train --data M --epochs 150").
std::string commandLine(const CLI::App& command, const std::string& prefix);

/// Every `dpflow` subcommand, registered on `app` (what main runs and the parsing tests check).
/// Each named option then takes its own value only, one per occurrence (a list option is
/// comma-separated or repeated), so inputs can stand anywhere on the line and `--` ends the options.
void registerAllCommands(CLI::App& app, int& exit_code);

void registerInfoCommand(CLI::App& app, int& exit_code);
void registerConvertCommand(CLI::App& app, int& exit_code);
void registerPhantomCommand(CLI::App& app, int& exit_code);
void registerFlowCommands(CLI::App& app, int& exit_code);  // train, model-info, roundtrip
void registerClassifierCommands(CLI::App& app, int& exit_code);  // classifier train, classifier eval
void registerReidCommands(CLI::App& app, int& exit_code);  // reid, reid-embedding
void registerPrivatizeCommand(CLI::App& app, int& exit_code);  // privatize, bench-sampler
void registerSampleCommand(CLI::App& app, int& exit_code);  // sample (random draws from a flow)
void registerStripCommand(CLI::App& app, int& exit_code);  // strip (mechanisms x epsilons picture)
void registerArtifactsCommand(CLI::App& app, int& exit_code);  // artifacts (decoder artifact count over eps)
void registerBenchCommand(CLI::App& app, int& exit_code);  // bench (the studio's preview pipeline)
void registerAllocateCommand(CLI::App& app, int& exit_code);  // allocate (the allocated mechanism's budget split)
void registerSweepCommand(CLI::App& app, int& exit_code);  // sweep (utility and privacy over eps)
void registerReleaseCommands(CLI::App& app, int& exit_code);  // release, verify-release
void registerPacsCommands(CLI::App& app, int& exit_code);  // pacs echo|find|get|purge

}  // namespace dpflow::cli
