#pragma once

#include <string>

namespace dpflow {

/// Sets up CPU threading for LibTorch in code rather than the user's shell: `threads` intra-op
/// threads for LibTorch and a single OpenBLAS thread, because OpenMP threads plus OpenBLAS
/// threads oversubscribe small machines (measured up to 30x slower). `threads` <= 0 picks
/// defaultThreadCount(). Safe to call again to change the LibTorch thread count.
void configureThreads(int threads);

/// Half the hardware threads, between 1 and 4: OpenMP workers spin while waiting, and on a
/// shared 2-core machine 2 threads decoded 5-10x slower than 1 (measured), while small flows
/// gain little from more than 4 threads.
int defaultThreadCount();

/// Whether LibTorch can use a CUDA device in this process (false for CPU-only builds).
bool cudaAvailable();

/// "cuda" when cudaAvailable(), else "cpu": the device models run on by default.
std::string defaultDeviceName();

}  // namespace dpflow
