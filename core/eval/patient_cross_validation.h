#pragma once

// Choosing how long to train the downstream classifier by patient-grouped k-fold
// cross-validation: 106 validation films are too few to choose an epoch by (the best of 15
// noisy AUCs is an optimistic pick), while the mean AUC curve over k folds of train+val is sturdy.

#include "eval/binary_classifier.h"
#include "eval/labelled_images.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dpflow {

/// The fold (0..k-1) of each image: every patient's images in one fold; patients are dealt out
/// in a seeded random order, those with a positive image and those without separately, so each
/// fold has both classes when the data allow. Throws std::invalid_argument for k < 2, sizes that
/// differ, or fewer patients of a class than folds.
std::vector<int> patientFolds(const std::vector<std::string>& patients, const std::vector<int>& labels, int k, std::uint64_t seed);

/// The images of `data` whose fold is (`held_out` true) or is not (`held_out` false) `fold`.
LabelledImages foldImages(const LabelledImages& data, const std::vector<int>& folds, int fold, bool held_out);

/// The cross-validated AUC of each epoch count.
struct CrossValidatedEpochs {
    std::vector<double> mean_auc;  ///< mean over the folds of the held-out AUC after epoch e (index e - 1)
    int best_epoch = 0;            ///< 1-based epoch of the highest mean AUC
};

/// For each fold: trains with `options` on the other folds and scores every epoch on the fold.
CrossValidatedEpochs crossValidateEpochs(const LabelledImages& data, const std::vector<int>& folds, int k,
                                         const ClassifierTrainOptions& options);

}  // namespace dpflow
