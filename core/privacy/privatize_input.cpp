#include "privacy/privatize_input.h"

#include "image/image_reader.h"
#include "image/manifest.h"

#include <algorithm>

namespace dpflow {
namespace {

namespace fs = std::filesystem;

void completeAttributes(PrivatizeInput& input, const std::vector<FlowAttribute>& attributes, const AttributeValues& given) {
    for (const auto& attribute : attributes) {
        if (input.attributes.count(attribute.name)) continue;
        const auto value = given.find(attribute.name);
        if (value != given.end()) {
            input.attributes[attribute.name] = value->second;
        } else if (input.error.empty()) {
            input.error = "no value for the model's attribute '" + attribute.name +
                          "' (the flow encodes under it): give --attribute " + attribute.name +
                          "=VALUE or list the image in a manifest with a '" + attribute.name + "' column";
        }
    }
}

std::vector<fs::path> imagesUnder(const fs::path& folder) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(folder))
        if (entry.is_regular_file() && detectImageFormat(entry.path()) != ImageFileFormat::Unknown) files.push_back(entry.path());
    std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) { return a.generic_string() < b.generic_string(); });
    return files;
}

}  // namespace

std::vector<PrivatizeInput> collectPrivatizeInputs(const std::vector<fs::path>& arguments,
                                                   const std::vector<FlowAttribute>& attributes,
                                                   const AttributeValues& given) {
    std::vector<PrivatizeInput> inputs;
    for (const auto& argument : arguments) {
        if (fs::is_directory(argument)) {
            for (auto& file : imagesUnder(argument)) inputs.push_back({std::move(file), {}, {}});
        } else if (argument.extension() == ".csv") {
            try {
                const Manifest manifest = Manifest::read(argument);
                for (std::size_t row = 0; row < manifest.size(); ++row) {
                    PrivatizeInput input{manifest.file(row), {}, {}};
                    for (const auto& attribute : attributes)
                        if (manifest.hasColumn(attribute.name))
                            input.attributes[attribute.name] = manifest.value(row, attribute.name);
                    inputs.push_back(std::move(input));
                }
            } catch (const std::exception& e) {
                inputs.push_back({argument, {}, e.what()});
            }
            continue;
        } else {
            inputs.push_back({argument, {}, {}});
        }
    }
    for (auto& input : inputs) completeAttributes(input, attributes, given);
    return inputs;
}

}  // namespace dpflow
