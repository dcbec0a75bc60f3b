#pragma once

#include "flow/flow_config.h"

#include <filesystem>
#include <string>
#include <vector>

namespace dpflow {

/// One image to release with the true attribute values it is encoded under.
struct PrivatizeInput {
    std::filesystem::path path;
    AttributeValues attributes;
    std::string error;  ///< why this input cannot be released (reported, the batch goes on); empty if fine
};

/// Expands the command's INPUT arguments: a `.csv` file is a manifest (every row; attribute
/// values from its columns named like the model's attributes, else from `given`), a folder is
/// every PNG or DICOM under it (recognised by content, sorted by path), any other path is one
/// image. Plain files take their attribute values from `given`; an input lacking a value for
/// one of `attributes` carries an error naming it. A manifest that cannot be read is one input
/// with an error.
std::vector<PrivatizeInput> collectPrivatizeInputs(const std::vector<std::filesystem::path>& arguments,
                                                   const std::vector<FlowAttribute>& attributes,
                                                   const AttributeValues& given);

}  // namespace dpflow
