#include "fuzz_targets.h"

#include "fuzz_scratch.h"
#include "release/durable_files.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace dpflow::fuzz {

int fuzzReleaseState(const std::uint8_t* data, std::size_t size) {
    try {
        (void)readJsonLines(writeScratchFile("progress.jsonl", data, size));
    } catch (const std::runtime_error&) {  // a damaged line in the middle, named
    }
    return 0;
}

}  // namespace dpflow::fuzz
