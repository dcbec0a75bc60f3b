#include "eval/patient_cross_validation.h"

#include <algorithm>
#include <map>
#include <random>
#include <stdexcept>

namespace dpflow {

std::vector<int> patientFolds(const std::vector<std::string>& patients, const std::vector<int>& labels, int k, std::uint64_t seed) {
    if (k < 2) throw std::invalid_argument("cross-validation needs at least 2 folds");
    if (patients.size() != labels.size()) throw std::invalid_argument("one patient id per image is needed");
    std::map<std::string, bool> has_positive;
    for (std::size_t i = 0; i < patients.size(); ++i) has_positive[patients[i]] = has_positive[patients[i]] || labels[i] == 1;
    std::vector<std::string> positive, negative;
    for (const auto& [patient, positive_image] : has_positive) (positive_image ? positive : negative).push_back(patient);
    if (positive.size() < static_cast<std::size_t>(k) || negative.size() < static_cast<std::size_t>(k))
        throw std::invalid_argument("too few patients of a class for " + std::to_string(k) + " folds");
    std::mt19937_64 random(seed);
    std::map<std::string, int> fold_of;
    for (auto* group : {&positive, &negative}) {
        std::shuffle(group->begin(), group->end(), random);
        for (std::size_t i = 0; i < group->size(); ++i) fold_of[(*group)[i]] = static_cast<int>(i % k);
    }
    std::vector<int> folds;
    for (const auto& patient : patients) folds.push_back(fold_of.at(patient));
    return folds;
}

LabelledImages foldImages(const LabelledImages& data, const std::vector<int>& folds, int fold, bool held_out) {
    LabelledImages part;
    for (std::size_t i = 0; i < data.images.size(); ++i) {
        if ((folds[i] == fold) != held_out) continue;
        part.images.push_back(data.images[i]);
        part.labels.push_back(data.labels[i]);
    }
    return part;
}

CrossValidatedEpochs crossValidateEpochs(const LabelledImages& data, const std::vector<int>& folds, int k,
                                         const ClassifierTrainOptions& options) {
    CrossValidatedEpochs result;
    result.mean_auc.assign(static_cast<std::size_t>(options.epochs), 0.0);
    for (int fold = 0; fold < k; ++fold) {
        std::vector<ClassifierEpoch> history;
        BinaryClassifier::train(foldImages(data, folds, fold, false), foldImages(data, folds, fold, true), options, &history);
        for (const auto& epoch : history) result.mean_auc[static_cast<std::size_t>(epoch.epoch - 1)] += epoch.val_auc / k;
    }
    result.best_epoch = static_cast<int>(std::max_element(result.mean_auc.begin(), result.mean_auc.end()) - result.mean_auc.begin()) + 1;
    return result;
}

}  // namespace dpflow
