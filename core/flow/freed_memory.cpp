#include "flow/freed_memory.h"

#include <dlfcn.h>
#include <malloc.h>

#include <cstddef>

namespace dpflow {

bool returnFreedMemoryToSystem() {
    using Mallctl = int (*)(const char*, void*, std::size_t*, void*, std::size_t);
    // jemalloc 5: "arena.<MALLCTL_ARENAS_ALL>.purge", with MALLCTL_ARENAS_ALL = 4096.
    if (const auto mallctl = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "mallctl")))
        return mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0) == 0;
    return malloc_trim(0) != 0;
}

}  // namespace dpflow
