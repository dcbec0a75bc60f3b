#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace dpflow {

/// File name of the studio's default model (a calibrated conditional GLOW at 128 px).
extern const char* const kDefaultStudioModel;

/// File name of the real-film model (conditional GLOW on NIH ChestX-ray14 films at 128 px).
extern const char* const kRealFilmStudioModel;

/// The shipped model a study opens with: the phantom model for a study written by
/// `dpflow phantom` (isPhantomStudyManifest), the real-film model for every other film.
const char* studioModelFor(bool phantom_study);

/// Whether a manifest with these columns was written by `dpflow phantom`: it has the phantom's
/// ground-truth columns (mask_file, marker_side, photons_per_mm2).
bool isPhantomStudyManifest(const std::vector<std::string>& columns);

/// The evaluation sweep shipped beside a model: <stem>.sweep.csv (with its .json beside it), the
/// results of `dpflow sweep` on the model's test split.
std::filesystem::path shippedSweepFor(const std::filesystem::path& model);

/// The learned re-identification attacker shipped beside a model, for its sweeps and the
/// studio's curve: <family>-reid-embedding.safetensors in the model's folder, the family being
/// the model's file name up to its first '-' ("nih128-glow" -> "nih128-reid-embedding"). The
/// path is returned whether or not the file exists.
std::filesystem::path shippedEmbeddingFor(const std::filesystem::path& model);

/// The learned linkage attacker shipped beside a model: <family>-linkage-embedding.safetensors
/// (as shippedEmbeddingFor), trained on privatized copies of public films by that model.
std::filesystem::path shippedLinkageEmbeddingFor(const std::filesystem::path& model);

/// The learned attackers actually shipped beside a model (each empty when its file is not
/// there): what `dpflow sweep` and the studio's curve use unless told otherwise.
struct ShippedAttackers {
    std::filesystem::path reidentification;  ///< shippedEmbeddingFor(model), if it exists
    std::filesystem::path linkage;           ///< shippedLinkageEmbeddingFor(model), if it exists
};
ShippedAttackers shippedAttackersFor(const std::filesystem::path& model);

/// A shipped flow model and its card in one line, for a model chooser.
struct ShippedModel {
    std::filesystem::path path;
    std::string summary;  ///< training data, size, attributes, bits/dim (describeModelCard)
};

/// Every flow model (a .safetensors whose .json card beside it is a dpflow-glow card) in the
/// first folder of modelSearchFolders(executable) that has any, sorted by file name.
std::vector<ShippedModel> listShippedFlowModels(const std::filesystem::path& executable);

/// Where shipped models are looked for, in order, for an executable at `executable`:
/// <exe dir>/../share/dpflow-studio/models (installed), then the source tree's models/ folder
/// this build was configured from (running from a build tree).
std::vector<std::filesystem::path> modelSearchFolders(const std::filesystem::path& executable);

/// The first existing `name` in modelSearchFolders(executable). Throws std::runtime_error
/// listing every folder searched and naming --model when none holds it.
std::filesystem::path locateShippedModel(const std::filesystem::path& executable, const std::filesystem::path& name);

/// This process's executable (/proc/self/exe); empty when the system does not say.
std::filesystem::path currentExecutable();

}  // namespace dpflow
