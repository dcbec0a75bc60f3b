#include "eval/classifier_score_features.h"

#include "eval/binary_classifier.h"

#include <algorithm>
#include <cmath>

namespace dpflow {

float scoreLogit(double probability) {
    constexpr double kClamp = 1e-6;
    const double p = std::clamp(probability, kClamp, 1.0 - kClamp);
    return static_cast<float>(std::log(p / (1.0 - p)));
}

std::vector<std::vector<float>> classifierScoreFeatures(const BinaryClassifier& classifier, const std::vector<Image>& images) {
    std::vector<std::vector<float>> features;
    for (double p : classifier.predict(images)) features.push_back({scoreLogit(p)});
    return features;
}

}  // namespace dpflow
