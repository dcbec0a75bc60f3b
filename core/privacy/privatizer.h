#pragma once

#include "flow/flow_model.h"
#include "image/image.h"
#include "privacy/attribute_policy.h"
#include "privacy/latent_allocation.h"
#include "privacy/mechanism_settings.h"
#include "privacy/nearest_neighbour_safeguard.h"
#include "privacy/privatizer_settings.h"
#include "privacy/random_source.h"
#include "privacy/release_accounting.h"
#include "privacy/release_record.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dpflow {

/// The flow a release uses and how it is named in records. `model` may be null for pixel and
/// dppix; it must outlive the Privatizer.
struct ModelReference {
    const FlowModel* model = nullptr;
    std::string name;    ///< e.g. the weights file's name
    std::string sha256;  ///< of the weights file
    /// allocated: the allocation already read (the preview reads it once); when empty the
    /// Privatizer reads the settings' allocation file.
    std::shared_ptr<const LatentAllocation> allocation = nullptr;
};

/// The reference set R of the M5 safeguard and whether it may be treated as public.
struct SafeguardReference {
    const ReferenceSet* reference = nullptr;  ///< must outlive the Privatizer
    bool holds_released_input = false;        ///< R contains a file being released: R is private regardless

    /// Whether R counts as public for `settings`: asserted public and holding no released input.
    bool treatedAsPublic(const SafeguardSettings& settings) const { return settings.reference_public && !holds_released_input; }
};

/// An image ready to be privatized many times: the working image (model size when there is a
/// model, else the image's own size), its latent under the true attributes (latent mechanisms
/// only) and those attributes. The studio encodes once and privatizes many times.
struct PreparedInput {
    Image image;
    std::vector<float> latent;
    AttributeValues attributes;
};

/// The result of one privatization: the image (absent when the safeguard withheld it) and the
/// record of what was done. Source, output and ledger fields of the record are for the caller
/// (release path) to fill in.
struct PrivatizedImage {
    std::optional<Image> image;
    ReleaseRecord record;
};

/// One interface for all mechanisms (M1 to M5 of docs/privacy-semantics.md).
class Privatizer {
public:
    /// Checks the settings against the model: latent mechanisms need a model, dpglow and allocated
    /// one with a calibration, allocated an allocation computed for this model (read from the
    /// settings' file unless the reference carries it); every model attribute must be kept or protected (and none for pixel/dppix);
    /// safeguard settings must be valid. Throws std::invalid_argument with what to change.
    /// `reference` may be left empty for accounting only; privatize() needs it when a safeguard
    /// is configured.
    /// `source` must outlive the Privatizer.
    Privatizer(PrivatizerSettings settings, ModelReference model, RandomSource& source,
               SafeguardReference reference = {});

    /// Brings `image` to the working size and, for latent mechanisms, encodes it under
    /// `attributes` (the true values of every model attribute). Throws std::invalid_argument for
    /// missing or unknown attribute values, or an image the model cannot take.
    PreparedInput prepare(const Image& image, const AttributeValues& attributes) const;

    /// Runs the mechanism (and the safeguard with its retries) with fresh noise from the source.
    PrivatizedImage privatize(const PreparedInput& input);

    /// The accounting for a working image of width x height (the model's size for latent
    /// mechanisms; any for pixel and dppix). Draws nothing.
    ReleaseAccounting accounting(int width, int height) const;

    /// The accounting when the image size is not known (pixel and dppix without a model leave
    /// the plan empty), for `dpflow privatize --explain`.
    ReleaseAccounting accountingWithoutImage() const;

    const PrivatizerSettings& settings() const { return settings_; }
    /// allocated: throws std::invalid_argument when the image with SHA-256 `source_sha256` is one
    /// the allocation was computed from: its shares would then depend on the image released, which
    /// voids the guarantee (as private calibration would). Every release path calls it.
    void refuseImageOfItsPublicData(const std::string& source_sha256, const std::string& source_name) const;

    /// allocated: the allocation in use (the release path refuses images it was computed from); else null.
    const LatentAllocation* allocation() const { return allocation_.get(); }
    /// Side of the square model image, or 0 without a model.
    int modelSize() const;

private:
    struct Attempt {
        Image image;
        std::vector<ReleasedAttribute> attributes;
        LaplaceNoisePlan plan;
        double input_clipped_fraction = 0.0;
        double input_scale_factor = 1.0;
        double output_clipped_fraction = 0.0;
        bool finite = true;  ///< false: the decode overflowed to NaN or infinity (never released)
    };
    Attempt attempt(const PreparedInput& input);
    void describeGuarantee(ReleaseRecord& record) const;

    PrivatizerSettings settings_;
    ModelReference model_;
    RandomSource& source_;
    SafeguardReference reference_;
    std::shared_ptr<const LatentAllocation> allocation_;
};

}  // namespace dpflow
