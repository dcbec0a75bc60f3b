#include "commands.h"

#include "image/image_description.h"
#include "image/image_error.h"
#include "image/image_reader.h"
#include "image/png_io.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace dpflow::cli {
namespace {

struct ConvertArguments {
    std::string input;
    std::string output;
    std::vector<double> window;
    int bits = 0;
};

bool hasPngExtension(const std::filesystem::path& path) {
    std::string extension = path.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return extension == ".png";
}

}  // namespace

void registerConvertCommand(CLI::App& app, int& exit_code) {
    auto* command = app.add_subcommand("convert", "Convert a DICOM or PNG image to a grayscale PNG of its display values");
    auto args = std::make_shared<ConvertArguments>();
    command->add_option("input", args->input, "DICOM or PNG file")->required();
    command->add_option("output", args->output, "PNG file to write")->required();
    command->add_option("--window", args->window, "Window C,W in modality units (overrides the file's VOI)")
        ->delimiter(',')
        ->expected(2);
    command->add_option("--bits", args->bits, "PNG bit depth (default: 8 for sources of up to 8 bits, else 16)")
        ->check(CLI::IsMember({8, 16}));
    command->callback([args, &exit_code] {
        if (!hasPngExtension(args->output)) {
            throw CLI::ValidationError("output", "must be a .png file: " + args->output);
        }
        ImageReadOptions options;
        if (!args->window.empty()) {
            if (args->window[1] < 1.0) {
                throw CLI::ValidationError("--window", "width must be at least 1");
            }
            options.window = DisplayWindow{args->window[0], args->window[1]};
        }
        try {
            const Image image = readImage(args->input, options);
            const int bits = args->bits != 0 ? args->bits : (image.stored_bits <= 8 ? 8 : 16);
            writePng(image, args->output, bits);
            std::cout << "wrote " << args->output << " (" << bits << "-bit PNG) from " << args->input << ": "
                      << describeImage(image) << '\n';
            exit_code = 0;
        } catch (const ImageError& error) {
            std::cerr << "dpflow convert: error: " << error.what() << '\n';
            exit_code = 1;
        }
    });
}

}  // namespace dpflow::cli
