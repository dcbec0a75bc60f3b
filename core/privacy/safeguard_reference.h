#pragma once

#include "privacy/nearest_neighbour_safeguard.h"
#include "privacy/privatizer.h"

#include <filesystem>

namespace dpflow {

/// Side of the safeguard's feature images: the model's size, or 64 without a model.
int safeguardFeatureSize(const ModelReference& model);

/// The safeguard's reference set for releases of `model`: features of safeguardFeatureSize,
/// reference images fitted as the model fits its inputs (ReferenceSet::load). Throws as
/// ReferenceSet::load does.
ReferenceSet loadSafeguardReference(const std::filesystem::path& manifest, const ModelReference& model);

}  // namespace dpflow
