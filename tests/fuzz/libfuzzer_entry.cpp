// The libFuzzer entry point of one fuzz target, chosen at compile time (DPFLOW_FUZZ_TARGET, a
// name of kFuzzTargets). Built only with DPFLOW_FUZZ (tests/fuzz/fuzz.cmake).

#include "fuzz_targets.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

const dpflow::fuzz::FuzzTarget& chosenTarget() {
    for (const auto& target : dpflow::fuzz::kFuzzTargets)
        if (std::strcmp(target.name, DPFLOW_FUZZ_TARGET) == 0) return target;
    std::fprintf(stderr, "no fuzz target named %s\n", DPFLOW_FUZZ_TARGET);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const dpflow::fuzz::FuzzTarget& target = chosenTarget();
    return target.run(data, size);
}
