#include "eval/classifier_evaluation.h"

#include "eval/patient_cross_validation.h"
#include "image/manifest.h"
#include "image/sha256.h"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <utility>

namespace dpflow {

ClassifierEvaluation evaluateClassifier(const BinaryClassifier& classifier, const LabelledImages& data) {
    ClassifierEvaluation result;
    result.auc = delongAuc(classifier.predict(data.images), data.labels);
    const int size = classifier.card().image_size;
    std::map<std::pair<int, int>, std::size_t> other_sizes;
    for (const auto& image : data.images)
        if (image.width != size || image.height != size) ++other_sizes[{image.width, image.height}];
    std::vector<std::string> parts;
    for (const auto& [dims, count] : other_sizes) {
        result.resized += count;
        parts.push_back(fmt::format("{} image{} of {}x{}", count, count == 1 ? "" : "s", dims.first, dims.second));
    }
    if (!parts.empty()) result.note = fmt::format("{} resized to the model's {}x{}", fmt::join(parts, ", "), size, size);
    return result;
}

BinaryClassifier trainClassifierOnManifest(const ManifestClassifierOptions& options) {
    const auto manifest = Manifest::read(options.manifest);
    auto train = loadLabelledImages(manifest, options.train_split, options.label_column);
    const auto val = loadLabelledImages(manifest, options.val_split, options.label_column);
    std::optional<CrossValidatedEpochs> cross_validated;
    ClassifierTrainOptions training = options.training;
    if (options.cv_folds > 1) {
        std::vector<std::string> patients;
        for (const auto* split : {&options.train_split, &options.val_split})
            for (const auto row : manifest.rowsInSplit(*split)) patients.push_back(manifest.value(row, options.patient_column));
        train.images.insert(train.images.end(), val.images.begin(), val.images.end());
        train.labels.insert(train.labels.end(), val.labels.begin(), val.labels.end());
        const auto folds = patientFolds(patients, train.labels, options.cv_folds, training.seed);
        cross_validated = crossValidateEpochs(train, folds, options.cv_folds, training);
        training.stop_after_epoch = cross_validated->best_epoch;  // with the schedule the folds were scored under
        training.keep_best_epoch = false;
    }
    const auto trained = BinaryClassifier::train(train, val, training);
    // Measure what ships: the weights after rounding to the storage type.
    auto stored = BinaryClassifier::fromSafetensors(trained.toSafetensors(options.storage), options.output.string());
    auto& card = stored.card();
    card.label_column = options.label_column;
    card.training_data = cross_validated
                             ? fmt::format("{} (splits '{}' + '{}'; stopped after epoch {} of a {}-epoch schedule, chosen by {}-fold "
                                           "cross-validation grouped by '{}', mean held-out AUC {:.4f})",
                                           options.manifest.string(), options.train_split, options.val_split,
                                           cross_validated->best_epoch, options.training.epochs, options.cv_folds,
                                           options.patient_column,
                                           cross_validated->mean_auc[cross_validated->best_epoch - 1])
                             : fmt::format("{} (train split '{}', epoch selected on '{}')", options.manifest.string(),
                                           options.train_split, options.val_split);
    card.training_manifest_sha256 = sha256OfFile(options.manifest);
    card.training_command = options.command_line;
    // With cross-validation the val images were trained on: their AUC says nothing; the folds' mean does.
    card.val_auc = cross_validated ? cross_validated->mean_auc[cross_validated->best_epoch - 1]
                                   : evaluateClassifier(stored, val).auc.auc;
    if (!options.test_split.empty()) {
        const auto test = evaluateClassifier(stored, loadLabelledImages(manifest, options.test_split, options.label_column)).auc;
        card.test = RecordedAuc{options.test_split,
                                test.auc,
                                test.ci_low,
                                test.ci_high,
                                static_cast<std::int64_t>(test.positives),
                                static_cast<std::int64_t>(test.negatives)};
    }
    stored.save(options.output, options.storage);
    return stored;
}

}  // namespace dpflow
