#include "eval/sweep_summary.h"

#include <algorithm>
#include <cstdio>

namespace dpflow {
namespace {

std::string formatAuc(const char* name, const std::optional<SweepAuc>& auc) {
    if (!auc) return "";
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, "; AUC (%s) there %.3f [%.3f, %.3f]", name, auc->auc, auc->ci_low, auc->ci_high);
    return buffer;
}

}  // namespace

std::vector<SweepBreakpoint> reidentificationBreakpoints(const SweepResults& results, double factor) {
    std::vector<std::string> mechanisms;
    for (const SweepRow& row : results.rows)
        if (std::find(mechanisms.begin(), mechanisms.end(), row.mechanism) == mechanisms.end())
            mechanisms.push_back(row.mechanism);
    std::vector<SweepBreakpoint> out;
    for (const std::string& mechanism : mechanisms) {
        std::vector<const SweepRow*> rows;
        for (const SweepRow& row : results.rows)
            if (row.mechanism == mechanism) rows.push_back(&row);
        std::sort(rows.begin(), rows.end(), [](const SweepRow* a, const SweepRow* b) { return a->epsilon < b->epsilon; });
        for (SweepAttacker attacker : kSweepAttackers) {
            SweepBreakpoint point;
            point.mechanism = mechanism;
            point.attacker = attacker;
            bool any = false;
            for (const SweepRow* row : rows) {  // smallest eps first: stop at the first rate above the line
                const SweepAttackFigures& figures = attackerFigures(*row, attacker).identification;
                if (!figures.top1_rate || !figures.chance_rate) continue;
                any = true;
                if (*figures.top1_rate > factor * *figures.chance_rate) break;
                point.epsilon = row->epsilon;
                point.top1_rate = figures.top1_rate;
                point.chance_rate = figures.chance_rate;
                point.protocol_a = row->protocol_a;
                point.protocol_b = row->protocol_b;
            }
            if (any) out.push_back(point);
        }
    }
    return out;
}

std::string describeBreakpoint(const SweepBreakpoint& point, double factor) {
    char buffer[256];
    const std::string who = point.mechanism + ", " + sweepAttackerName(point.attacker) + " attacker: ";
    if (!point.epsilon) {
        std::snprintf(buffer, sizeof buffer, "stays above %g x chance at every swept eps", factor);
        return who + buffer;
    }
    std::snprintf(buffer, sizeof buffer, "top-1 %.3f <= %g x chance (chance %.3f) from eps %g down", *point.top1_rate, factor,
                  *point.chance_rate, *point.epsilon);
    return who + buffer + formatAuc("a", point.protocol_a) + formatAuc("b", point.protocol_b);
}

std::string protocolACaveat(const std::vector<std::string>& mechanisms) {
    const bool latent = std::any_of(mechanisms.begin(), mechanisms.end(),
                                    [](const std::string& m) { return m == "dpglow" || m == "cadp"; });
    if (!latent) return {};
    return "Protocol (a) on a conditional flow: at small eps the decoded film is the prototype of its released "
           "attributes, so with the label kept the AUC measures the disclosed label, not what the image carries, "
           "and with it protected the label that was drawn.";
}

}  // namespace dpflow
