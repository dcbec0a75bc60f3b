#pragma once

#include "eval/binary_classifier.h"
#include "eval/labelled_images.h"
#include "eval/roc_auc.h"

#include <filesystem>
#include <string>
#include <vector>

namespace dpflow {

/// A classifier's ROC AUC on a labelled set, with what had to be done to the images.
struct ClassifierEvaluation {
    AucEstimate auc;             ///< with 95% DeLong interval and the case counts
    std::size_t resized = 0;     ///< images whose size differed from the model's and were resized
    std::string note;            ///< e.g. "468 images of 64x64 resized to 28x28"; empty if none
};

/// Scores `data` with `classifier` and computes the AUC with its DeLong interval. Throws
/// std::invalid_argument (from delongAuc) when a class has fewer than two cases.
ClassifierEvaluation evaluateClassifier(const BinaryClassifier& classifier, const LabelledImages& data);

/// Training a classifier from a manifest, as `dpflow classifier train` does.
struct ManifestClassifierOptions {
    std::filesystem::path manifest;       ///< CSV with file, split and the label column
    std::string label_column = "label";   ///< 0/1 labels
    std::string train_split = "train";    ///< trained on
    std::string val_split = "val";        ///< selects the epoch
    std::string test_split = "test";      ///< reported in the card; "" to skip
    std::filesystem::path output;         ///< weights file; the card goes beside it as .json
    SafetensorsDtype storage = SafetensorsDtype::F16;  ///< float storage of the weights
    std::string command_line;             ///< recorded in the card
    /// > 1: choose the number of epochs by patient-grouped k-fold cross-validation on the
    /// train and val splits together, then train on both for that many epochs (keeping the last).
    int cv_folds = 0;
    std::string patient_column = "patient_id";  ///< groups the folds (cv_folds > 1)
    ClassifierTrainOptions training;
};

/// Loads the splits, trains (with cv_folds > 1: after choosing the epoch count by
/// cross-validation on train + val, whose mean held-out AUC at that count is the card's val_auc), rounds the weights to the storage type, measures the validation
/// and test AUC of the weights exactly as stored, fills the card (data description with the
/// manifest's SHA-256, command, AUCs) and saves. Returns the stored classifier. Throws
/// ManifestError / ImageError for unreadable data, std::invalid_argument for bad options,
/// SafetensorsError when writing fails.
BinaryClassifier trainClassifierOnManifest(const ManifestClassifierOptions& options);

}  // namespace dpflow
