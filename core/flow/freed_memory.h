#pragma once

namespace dpflow {

/// Hands the pages of memory the process has freed back to the operating system now. The
/// executables allocate through jemalloc set never to purge freed pages by itself
/// (app/allocator/jemalloc_settings.cpp: re-faulting them cost half of every training step), and
/// LibTorch's training steps allocate tensors whose sizes and lifetimes interleave, so the kept
/// pages fragment and the resident size grows by about 15 MB a step at 128 px without bound
/// (docs/models.md). Called at a boundary where a little re-faulting is cheap (after a training
/// epoch), it bounds that growth. Under jemalloc it purges every arena (`mallctl`, found at run
/// time so that core/ does not depend on the allocator); under glibc's malloc it calls
/// malloc_trim. Returns whether an allocator was asked and said it did.
bool returnFreedMemoryToSystem();

}  // namespace dpflow
