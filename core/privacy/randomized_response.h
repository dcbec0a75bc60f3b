#pragma once

#include "privacy/random_source.h"

#include <vector>

namespace dpflow {

/// k-ary randomized response (M3 "protect" with eps_k > 0): returns `true_value` with
/// probability e^eps / (e^eps + K - 1), otherwise one of the other K - 1 values uniformly.
/// Sampled exactly: a uniform candidate is accepted always if it is the true value and with
/// probability exp(-eps) otherwise, which gives those rates with no floating-point rounding.
/// Throws std::invalid_argument for K < 2, a value outside [0, K), or a negative or non-finite eps.
int randomizedResponse(int true_value, int category_count, double epsilon, RandomSource& source);

/// The keep probability e^eps / (e^eps + K - 1) that randomizedResponse realises, for display.
double randomizedResponseKeepProbability(int category_count, double epsilon);

/// M3 "protect" with eps_k = 0: a value drawn from `prior` (non-negative weights, e.g. the
/// training frequencies), independent of the image, so it discloses nothing about it.
/// Throws std::invalid_argument for an empty prior or one without positive weight.
int drawFromPrior(const std::vector<double>& prior, RandomSource& source);

}  // namespace dpflow
