#pragma once

// The score attacker's features (SweepAttacker::Score): one number per film, the logit of the
// public classifier's score. A release that keeps what the image carries of the finding keeps
// this number close to the original's; an attacker who holds the original and the shipped
// classifier compares the two (Euclidean distance on the logit).

#include "image/image.h"

#include <vector>

namespace dpflow {

class BinaryClassifier;

/// log(p / (1 - p)) of the classifier's score p, with p clamped to [1e-6, 1 - 1e-6] so that a
/// saturated score stays finite.
float scoreLogit(double probability);

/// One feature vector {scoreLogit(p)} per image, p = classifier.predict(images).
std::vector<std::vector<float>> classifierScoreFeatures(const BinaryClassifier& classifier, const std::vector<Image>& images);

}  // namespace dpflow
