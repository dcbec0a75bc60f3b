#include "commands.h"

#include "image/folder_scan.h"
#include "image/image_description.h"

#include <iostream>
#include <string>
#include <vector>

namespace dpflow::cli {

void registerInfoCommand(CLI::App& app, int& exit_code) {
    auto* command = app.add_subcommand(
        "info", "Describe images (PNG or DICOM, recognised by content): one line per file; folders are scanned "
                "recursively. Exit status 1 if any file could not be read.");
    auto paths = std::make_shared<std::vector<std::string>>();
    command->add_option("paths", *paths, "Files or folders")->required();
    command->callback([paths, &exit_code] {
        bool any_failed = false;
        for (const std::string& path : *paths) {
            scanImages(path, [&](ScanEntry&& entry) {
                std::cout << describeScanEntry(entry) << '\n';
                any_failed = any_failed || entry.outcome == ScanOutcome::Failed;
            });
        }
        exit_code = any_failed ? 1 : 0;
    });
}

}  // namespace dpflow::cli
