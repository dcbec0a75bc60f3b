#pragma once

// Runs command lines for the end-to-end tests (the dpflow CLI, dcmdump) and collects what they
// printed, so every suite asserts on the same kind of result.

#include <cstdio>
#include <string>

#include <sys/wait.h>

namespace dpflow::test {

/// What a command printed (stdout and stderr together) and how it ended.
struct CommandRun {
    int status = -1;     ///< exit status; 128 + signal when killed; -1 when it could not be started
    std::string output;
};

/// Runs `command_line` in a shell and waits for it.
inline CommandRun runCommand(const std::string& command_line) {
    CommandRun run;
    FILE* pipe = ::popen((command_line + " 2>&1").c_str(), "r");
    if (!pipe) return run;
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) run.output.append(buffer, n);
    const int status = ::pclose(pipe);
    run.status = WIFEXITED(status) ? WEXITSTATUS(status) : (WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1);
    return run;
}

#ifdef DPFLOW_CLI
/// Runs this build's dpflow CLI (DPFLOW_CLI, set by the suite's CMake) with `arguments`.
inline CommandRun runDpflow(const std::string& arguments) { return runCommand(std::string(DPFLOW_CLI) + " " + arguments); }
#endif

}  // namespace dpflow::test
