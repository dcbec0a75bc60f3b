#pragma once

#include "phantom/patient_identity.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dpflow {

/// Mask values in the saved pathology mask (8-bit PNG): the most important finding wins where
/// findings overlap; 0 is no pathology.
constexpr int kMaskConsolidation = 255;
constexpr int kMaskEffusion = 170;
constexpr int kMaskNodule = 85;

/// A fluid-filled patch of lung: one Gaussian puff of the consolidation (patient frame, mm).
struct OpacityBlob {
    double x = 0, y = 0;
    double sigma = 10;
    double weight = 1;
};

/// Pneumonia-like consolidation: airspace filled with fluid in one lung zone, patchy.
struct Consolidation {
    bool present = false;
    double severity = 0;           ///< 0..1: extent and density of the filling
    int side = -1;                 ///< -1 right lung, +1 left lung
    int zone = 2;                  ///< 0 upper, 1 middle, 2 lower
    double density = 0;            ///< peak fraction of the lung's thickness filled with fluid
    std::vector<OpacityBlob> blobs;
};

/// Fluid layering at the lung base: blunts the costophrenic angle with a meniscus.
struct PleuralEffusion {
    bool present = false;
    int side = -1;
    double height_mm = 0;          ///< how far the fluid reaches above the lateral dome
};

/// A solid spherical nodule (patient frame, mm).
struct Nodule {
    double x = 0, y = 0, z = 0;
    double radius = 5;
};

/// The findings in one image, with their ground truth.
struct Pathology {
    Consolidation consolidation;
    PleuralEffusion effusion;
    std::vector<Nodule> nodules;   ///< the patient's: the same in all of their images

    bool any() const { return consolidation.present || effusion.present || !nodules.empty(); }
    /// "normal", or the findings joined by '+', e.g. "consolidation+effusion".
    std::string summary() const;
    /// "right_lower" etc. for a consolidation, empty otherwise.
    std::string consolidationZone() const;
};

/// Draws the findings of image `image_index` of `patient`. `pathology_rate` (0..1) is the
/// chance of a consolidation in an image; effusions occur at 0.3x that rate, and a patient has
/// nodules (in every image) at 0.4x that rate. Severity is uniform over 0.1..1 so that mild
/// cases are hard to see. Throws std::invalid_argument for a rate outside 0..1.
Pathology drawPathology(std::uint64_t study_seed, const PatientIdentity& patient, int image_index,
                        double pathology_rate);

}  // namespace dpflow
