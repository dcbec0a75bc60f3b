#include "eval/patient_cross_validation.h"

#include "eval_test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

namespace dpflow {
namespace {

// Two images per patient, patients alternating between the classes.
std::vector<std::string> twoImagesPerPatient(std::size_t images) {
    std::vector<std::string> patients;
    for (std::size_t i = 0; i < images; ++i) patients.push_back("P" + std::to_string(i / 2));
    return patients;
}

std::vector<int> labelsByPatient(std::size_t images) {
    std::vector<int> labels;
    for (std::size_t i = 0; i < images; ++i) labels.push_back(static_cast<int>((i / 2) % 2));
    return labels;
}

TEST(PatientFolds, EveryPatientsImagesShareOneFold) {
    const auto patients = twoImagesPerPatient(40);
    const auto folds = patientFolds(patients, labelsByPatient(40), 5, 7);
    std::map<std::string, std::set<int>> seen;
    for (std::size_t i = 0; i < patients.size(); ++i) seen[patients[i]].insert(folds[i]);
    for (const auto& [patient, patient_folds] : seen) EXPECT_EQ(patient_folds.size(), 1u) << patient;
}

TEST(PatientFolds, EachFoldHoldsBothClassesAndTheSeedRepeatsTheDeal) {
    const auto patients = twoImagesPerPatient(40);
    const auto labels = labelsByPatient(40);
    const auto folds = patientFolds(patients, labels, 5, 7);
    for (int fold = 0; fold < 5; ++fold) {
        std::set<int> classes;
        for (std::size_t i = 0; i < folds.size(); ++i)
            if (folds[i] == fold) classes.insert(labels[i]);
        EXPECT_EQ(classes.size(), 2u) << "fold " << fold;
    }
    EXPECT_EQ(patientFolds(patients, labels, 5, 7), folds);
    EXPECT_NE(patientFolds(patients, labels, 5, 8), folds);
}

TEST(PatientFolds, TooFewPatientsOfAClassAreRefused) {
    EXPECT_THROW(patientFolds(twoImagesPerPatient(8), labelsByPatient(8), 5, 1), std::invalid_argument);
    EXPECT_THROW(patientFolds(twoImagesPerPatient(8), labelsByPatient(8), 1, 1), std::invalid_argument);
}

TEST(CrossValidateEpochs, GivesAMeanHeldOutAucPerEpochAndItsBest) {
    LabelledImages data = test::blobTask(64, 16, 4);
    std::vector<std::string> patients;
    for (std::size_t i = 0; i < data.images.size(); ++i) patients.push_back("P" + std::to_string(i));
    ClassifierTrainOptions options;
    options.image_size = 16;
    options.base_channels = 4;
    options.epochs = 3;
    options.batch_size = 16;
    const auto result = crossValidateEpochs(data, patientFolds(patients, data.labels, 2, 3), 2, options);
    ASSERT_EQ(result.mean_auc.size(), 3u);
    EXPECT_GE(result.best_epoch, 1);
    EXPECT_LE(result.best_epoch, 3);
    for (const double auc : result.mean_auc) {
        EXPECT_GE(auc, 0.0);
        EXPECT_LE(auc, 1.0);
    }
    EXPECT_DOUBLE_EQ(result.mean_auc[result.best_epoch - 1], *std::max_element(result.mean_auc.begin(), result.mean_auc.end()));
}

}  // namespace
}  // namespace dpflow
