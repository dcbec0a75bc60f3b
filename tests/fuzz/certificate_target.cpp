#include "fuzz_targets.h"

#include "fuzz_scratch.h"
#include "release/release_certificate.h"
#include "release/release_layout.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace dpflow::fuzz {

int fuzzCertificate(const std::uint8_t* data, std::size_t size) {
    writeScratchFile(release_layout::kCertificate, data, size);
    try {
        (void)verifyRelease(scratchFolder());  // problems are reported, not thrown
    } catch (const std::runtime_error&) {
    }
    return 0;
}

}  // namespace dpflow::fuzz
