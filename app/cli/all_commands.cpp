#include "commands.h"

namespace dpflow::cli {
namespace {

// A list option stops at its own value (CLI11 lets a vector option swallow every argument up
// to the next option otherwise, inputs included): `--protect sex:0,view:0 study.csv` keeps
// study.csv as the input. Repeating the option adds values.
void takeOneValuePerOccurrence(CLI::App& app) {
    for (CLI::Option* option : app.get_options())
        if (option->nonpositional() && option->get_type_size() != 0) option->allow_extra_args(false);
    for (CLI::App* command : app.get_subcommands([](CLI::App*) { return true; })) takeOneValuePerOccurrence(*command);
}

}  // namespace

void registerAllCommands(CLI::App& app, int& exit_code) {
    registerInfoCommand(app, exit_code);
    registerConvertCommand(app, exit_code);
    registerPhantomCommand(app, exit_code);
    registerFlowCommands(app, exit_code);
    registerClassifierCommands(app, exit_code);
    registerReidCommands(app, exit_code);
    registerPrivatizeCommand(app, exit_code);
    registerSampleCommand(app, exit_code);
    registerStripCommand(app, exit_code);
    registerArtifactsCommand(app, exit_code);
    registerAllocateCommand(app, exit_code);
    registerBenchCommand(app, exit_code);
    registerSweepCommand(app, exit_code);
    registerReleaseCommands(app, exit_code);
    registerPacsCommands(app, exit_code);
    takeOneValuePerOccurrence(app);
}

}  // namespace dpflow::cli
