#pragma once

#include "eval/sweep_results.h"

#include <optional>
#include <string>
#include <vector>

namespace dpflow {

/// The product's headline pair for one mechanism and attacker: the eps at which the attacker's
/// identification rate has fallen to twice chance, and the diagnostic AUC there.
struct SweepBreakpoint {
    std::string mechanism;
    SweepAttacker attacker = SweepAttacker::Pixel;
    std::optional<double> epsilon;          ///< absent when no swept eps brings the attacker that low
    std::optional<double> top1_rate;        ///< the attacker's identification rate at that eps
    std::optional<double> chance_rate;      ///< 1 / gallery size
    std::optional<SweepAuc> protocol_a;     ///< utility at that eps (trained on originals)
    std::optional<SweepAuc> protocol_b;     ///< utility at that eps (trained on privatized images)
};

/// For every mechanism (in the order of the rows) and attacker with identification figures: the
/// largest swept eps whose top-1 rate is at most `factor` x chance at that eps *and* at every
/// smaller swept eps of the mechanism (so a noisy dip above the curve does not count). Rows of
/// a mechanism need not be sorted. Mechanisms without re-identification figures give nothing.
std::vector<SweepBreakpoint> reidentificationBreakpoints(const SweepResults& results, double factor = 2.0);

/// One line per breakpoint, e.g. "dpglow, latent attacker: top-1 0.031 <= 2 x chance 0.033 from
/// eps 1e+05 down; AUC (a) there 0.712 [0.650, 0.774]", or "... stays above 2 x chance at every
/// swept eps" when there is none.
std::string describeBreakpoint(const SweepBreakpoint& breakpoint, double factor = 2.0);

/// What protocol (a) measures on a conditional flow, said beside its figures (the CLI table,
/// the studio's plot, the release certificate): at small eps a decoded film is the prototype of
/// the attribute values it was decoded under, so with the label kept the AUC measures the
/// disclosed label, not what the image carries, and with it protected the label that was drawn.
/// Empty when `mechanisms` has no latent mechanism (dpglow, cadp).
std::string protocolACaveat(const std::vector<std::string>& mechanisms);

}  // namespace dpflow
