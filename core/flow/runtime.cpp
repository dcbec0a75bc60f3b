#include "flow/runtime.h"

#include <torch/torch.h>

#include <dlfcn.h>

#include <algorithm>
#include <thread>

namespace dpflow {

void configureThreads(int threads) {
    // OpenBLAS is loaded through LibTorch's BLAS alternative; its setter is looked up at run
    // time so that builds against another BLAS still link.
    using SetThreads = void (*)(int);
    if (auto* set_openblas = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
        set_openblas(1);
    }
    at::set_num_threads(threads > 0 ? threads : defaultThreadCount());
}

int defaultThreadCount() {
    const int hardware = static_cast<int>(std::thread::hardware_concurrency());
    return std::clamp(hardware / 2, 1, 4);
}

bool cudaAvailable() { return torch::cuda::is_available(); }

std::string defaultDeviceName() { return cudaAvailable() ? "cuda" : "cpu"; }

}  // namespace dpflow
