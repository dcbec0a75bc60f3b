#include "eval/binomial_interval.h"

#include <cmath>
#include <stdexcept>

namespace dpflow {
namespace {

// P(X <= k) for X ~ Bin(n, p), summed in log space (n up to millions stays exact enough).
double binomialCdf(std::size_t k, std::size_t n, double p) {
    if (p <= 0.0) return 1.0;
    if (p >= 1.0) return k >= n ? 1.0 : 0.0;
    const double log_p = std::log(p), log_q = std::log1p(-p);
    const double log_n_factorial = std::lgamma(static_cast<double>(n) + 1.0);
    double sum = 0.0;
    for (std::size_t i = 0; i <= k; ++i) {
        const double x = static_cast<double>(i);
        sum += std::exp(log_n_factorial - std::lgamma(x + 1.0) - std::lgamma(static_cast<double>(n - i) + 1.0) +
                        x * log_p + static_cast<double>(n - i) * log_q);
    }
    return std::min(sum, 1.0);
}

// The p in [0, 1] at which the decreasing function f(p) crosses `target`, by bisection.
template <typename F>
double crossing(F f, double target) {
    double lo = 0.0, hi = 1.0;
    for (int i = 0; i < 100; ++i) {
        const double mid = 0.5 * (lo + hi);
        (f(mid) > target ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

}  // namespace

ProportionInterval clopperPearsonInterval(std::size_t successes, std::size_t trials, double confidence) {
    if (trials == 0) throw std::invalid_argument("a proportion's interval needs at least one trial");
    if (successes > trials) throw std::invalid_argument("more successes than trials");
    if (!(confidence > 0.0 && confidence < 1.0)) throw std::invalid_argument("confidence must be in (0, 1)");
    const double tail = (1.0 - confidence) / 2.0;
    ProportionInterval interval;
    // P(X <= successes) falls as p rises: the upper end is where it reaches the tail.
    if (successes < trials) interval.high = crossing([&](double p) { return binomialCdf(successes, trials, p); }, tail);
    // P(X >= successes) = 1 - P(X <= successes - 1) rises with p: the lower end is where it reaches the tail.
    if (successes > 0)
        interval.low = crossing([&](double p) { return binomialCdf(successes - 1, trials, p); }, 1.0 - tail);
    return interval;
}

}  // namespace dpflow
