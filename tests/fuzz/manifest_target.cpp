#include "fuzz_targets.h"

#include "image/manifest.h"

#include <sstream>
#include <string>

namespace dpflow::fuzz {

int fuzzManifest(const std::uint8_t* data, std::size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    try {
        const Manifest manifest = Manifest::parse(in, "fuzz.csv", "/data");
        // What the commands do next: resolve every row's file and read a column.
        for (std::size_t row = 0; row < manifest.size(); ++row) {
            (void)manifest.file(row);
            if (manifest.hasColumn("split")) (void)manifest.value(row, "split");
        }
    } catch (const ManifestError&) {
    }
    return 0;
}

}  // namespace dpflow::fuzz
