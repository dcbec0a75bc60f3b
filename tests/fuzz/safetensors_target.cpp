#include "fuzz_targets.h"

#include "flow/safetensors.h"

#include <vector>

namespace dpflow::fuzz {

int fuzzSafetensors(const std::uint8_t* data, std::size_t size) {
    try {
        const SafetensorsFile file = parseSafetensors(std::vector<std::uint8_t>(data, data + size), "fuzz.safetensors");
        // A parsed file must serialise again (every tensor's bytes match its dtype and shape).
        (void)serializeSafetensors(file);
    } catch (const SafetensorsError&) {
    }
    return 0;
}

}  // namespace dpflow::fuzz
