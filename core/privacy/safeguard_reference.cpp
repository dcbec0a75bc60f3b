#include "privacy/safeguard_reference.h"

#include <optional>

namespace dpflow {

int safeguardFeatureSize(const ModelReference& model) {
    return model.model ? model.model->card().config.image_size : 64;
}

ReferenceSet loadSafeguardReference(const std::filesystem::path& manifest, const ModelReference& model) {
    return ReferenceSet::load(manifest, safeguardFeatureSize(model),
                              model.model ? std::optional<FitMode>(model.model->card().fit) : std::nullopt);
}

}  // namespace dpflow
