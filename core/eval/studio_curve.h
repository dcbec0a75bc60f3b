#pragma once

// The sweep behind the studio's "Compute curve" button: which classifier, rows, eps and
// attackers the studio uses for the open model and study, so the plot can be computed without
// the user writing a `dpflow sweep` command. Torch-free.

#include "eval/sweep_results.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dpflow {

/// What the studio knows when the user asks for a curve.
struct StudioCurveRequest {
    std::filesystem::path model_path;              ///< the open flow model
    int model_image_size = 0;                      ///< its image size (classifiers must match it)
    std::filesystem::path study_manifest;          ///< manifest of the open study (labels, patients)
    std::string mechanism = "dpglow";              ///< the privacy panel's mechanism
    std::vector<std::string> keep_attributes;      ///< latent mechanisms: attributes disclosed
    std::vector<std::string> protect_attributes;   ///< latent mechanisms: "NAME:EPS" items
    std::string latent_decoding = "shrink";        ///< as the preview decodes
    std::vector<std::filesystem::path> classifier_folders;  ///< where shipped classifiers are looked for
    std::filesystem::path embedding_path;          ///< the model's shipped embedding attacker (shippedEmbeddingFor); empty: the sweep trains one
    std::filesystem::path linkage_embedding_path;  ///< the model's shipped linkage attacker (shippedLinkageEmbeddingFor); empty: none
};

/// The sweep to run and one line saying what it measures, for the plot panel.
struct StudioCurvePlan {
    SweepSettings settings;
    std::string description;
};

/// Most test images a studio curve evaluates: enough for a readable curve in about a minute
/// on two cores with the default model; `dpflow sweep` is the tool for full evaluations.
constexpr std::size_t kStudioCurveMaxImages = 60;

/// eps of a studio curve: every decade of the slider's range, 1e0 to 1e8.
std::vector<double> studioCurveEpsilons();

/// The downstream classifier for a model, among the `*-classifier.json` cards (beside their
/// `.safetensors`) in `folders`, whose label column is in `columns`: first one of the model's
/// family (the file name up to its first '-': "phantom128-glow" goes with
/// "phantom128-consolidation-classifier"), else the first with the model's `image_size`, in
/// folder and then name order; nullopt when none fits. Unreadable cards are skipped.
std::optional<std::filesystem::path> findStudioClassifier(const std::vector<std::filesystem::path>& folders,
                                                          const std::filesystem::path& model_path, int image_size,
                                                          const std::vector<std::string>& columns);

/// Plans the curve: the classifier found by findStudioClassifier; the manifest's "test" split
/// when it holds both label values, else every row (a small study such as the bundled sample,
/// said in the description); at most kStudioCurveMaxImages images; protocol (a); and
/// re-identification when the manifest has a patient_id column and a patient with two or more
/// of the evaluated images. Throws std::invalid_argument saying what is missing: no study
/// manifest, no fitting classifier, or labels that are not both present.
StudioCurvePlan planStudioCurve(const StudioCurveRequest& request);

}  // namespace dpflow
