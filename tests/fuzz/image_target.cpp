#include "fuzz_targets.h"

#include "image/image_error.h"
#include "image/image_reader.h"

#include <vector>

namespace dpflow::fuzz {

int fuzzImage(const std::uint8_t* data, std::size_t size) {
    const std::vector<unsigned char> bytes(data, data + size);
    try {
        readImageBytes(bytes, "fuzz-input");
    } catch (const ImageError&) {
    }
    return 0;
}

}  // namespace dpflow::fuzz
