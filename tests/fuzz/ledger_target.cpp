#include "fuzz_targets.h"

#include "fuzz_scratch.h"
#include "privacy/budget_ledger.h"

#include <stdexcept>

namespace dpflow::fuzz {

int fuzzLedger(const std::uint8_t* data, std::size_t size) {
    try {
        const BudgetLedger ledger(writeScratchFile("ledger.jsonl", data, size), 10.0);
        (void)ledger.check("sha256:0", 1.0);
    } catch (const std::runtime_error&) {  // a damaged line in the middle, named
    }
    return 0;
}

}  // namespace dpflow::fuzz
