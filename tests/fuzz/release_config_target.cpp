#include "fuzz_targets.h"

#include "fuzz_scratch.h"
#include "release/release_settings.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace dpflow::fuzz {

int fuzzReleaseConfig(const std::uint8_t* data, std::size_t size) {
    try {
        const ReleaseSettings settings = readReleaseSettings(writeScratchFile("release.json", data, size));
        validateReleaseSettings(settings);
        (void)releaseSettingsFingerprint(settings, "");
    } catch (const nlohmann::json::exception&) {
    } catch (const std::invalid_argument&) {
    } catch (const std::runtime_error&) {
    }
    return 0;
}

}  // namespace dpflow::fuzz
