#include "commands.h"

#include <exception>
#include <iostream>

#ifndef DPFLOW_VERSION
#define DPFLOW_VERSION "unknown"
#endif

int main(int argc, char** argv) {
    CLI::App app{"dpflow: privatize chest X-rays in the latent space of a normalizing flow"};
    app.set_version_flag("--version", std::string("dpflow ") + DPFLOW_VERSION);
    app.require_subcommand(1);

    int exit_code = 0;
    dpflow::cli::registerAllCommands(app, exit_code);

    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e);  // --help, --version
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "dpflow: error: " << e.what() << '\n';
        return 1;
    }
    return exit_code;
}
