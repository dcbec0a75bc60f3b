#pragma once

#include "flow/flow_config.h"
#include "privacy/privatizer.h"
#include "privacy/random_source.h"

#include <filesystem>
#include <limits>
#include <ostream>
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

/// File format of released images.
enum class ReleaseFormat { Png, Dicom };

/// Where and how a batch is released.
struct PrivatizeBatchOptions {
    std::vector<std::filesystem::path> inputs;  ///< files, folders, manifests
    AttributeValues given_attributes;           ///< --attribute NAME=VALUE, for inputs without manifest columns
    std::filesystem::path out_dir;              ///< created if missing
    ReleaseFormat format = ReleaseFormat::Png;  ///< PNG 16-bit, or DICOM through writeDerivedDicom
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

/// Side of the safeguard's feature images: the model's size, or 64 without a model.
int safeguardFeatureSize(const ModelReference& model);

/// The safeguard's reference set for releases of `model`: features of safeguardFeatureSize,
/// reference images fitted as the model fits its inputs (ReferenceSet::load). Throws as
/// ReferenceSet::load does.
ReferenceSet loadSafeguardReference(const std::filesystem::path& manifest, const ModelReference& model);

}  // namespace dpflow
