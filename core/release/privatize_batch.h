#pragma once

#include "flow/flow_config.h"
#include "privacy/privatize_input.h"
#include "privacy/privatizer.h"
#include "privacy/random_source.h"
#include "privacy/safeguard_reference.h"
#include "release/release_publisher.h"

#include <filesystem>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

namespace dpflow {

/// Where and how a batch is released.
struct PrivatizeBatchOptions {
    std::vector<std::filesystem::path> inputs;  ///< files, folders, manifests
    AttributeValues given_attributes;           ///< --attribute NAME=VALUE, for inputs without manifest columns
    std::filesystem::path out_dir;              ///< created if missing
    ReleasedImageFormat format = ReleasedImageFormat::Png16;  ///< written by writeReleasedImage
    std::filesystem::path ledger;               ///< empty: <out_dir>/privacy-ledger.jsonl
    double budget_limit = std::numeric_limits<double>::infinity();  ///< per source image, warns beyond
};

/// What became of a batch.
struct PrivatizeBatchResult {
    int released = 0;
    int withheld = 0;  ///< stopped by the safeguard (a decision, not a failure)
    int failed = 0;
    std::vector<std::filesystem::path> outputs;  ///< released image files
    std::vector<std::filesystem::path> records;  ///< JSON records, one per released or withheld image
};

/// The release path. For every input: reads it, privatizes it with fresh noise from `source`,
/// appends the ledger entry (durably), and only then publishes the image (written to a
/// temporary name first, renamed after the ledger append) and its JSON record. Output names are
/// <stem>_<mechanism>[_NOT-PRIVATE].<png|dcm|json>, with _2, _3, ... for repeated stems. A
/// safeguard's reference set is loaded once; it is treated as private when not asserted public
/// or when it contains any input's file. Progress, warnings and per-file errors go to `log`;
/// a bad input never stops the batch. Throws std::invalid_argument for settings the model
/// cannot take, and std::runtime_error for an unusable ledger or reference set.
PrivatizeBatchResult privatizeBatch(const PrivatizeBatchOptions& options, const PrivatizerSettings& settings,
                                    const ModelReference& model, RandomSource& source, std::ostream& log);

}  // namespace dpflow
