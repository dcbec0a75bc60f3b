// Settings read by jemalloc, which the dpflow executables link in place of glibc's malloc.
//
// Why: LibTorch on the CPU allocates and frees the same activation tensors (tens to hundreds of
// MB) on every training step and on every batch of a sweep. glibc serves blocks that large with
// mmap and returns them on free; jemalloc, with its default decay, also hands them back within
// seconds. Either way every step pays the kernel to fault in fresh zeroed pages: training the
// default model spent half of its time in the kernel (41 M minor page faults for 3 steps, about
// 50 s per step on 2 threads). Keeping freed pages for reuse (no time-based purging) brought the
// same step to about 4.5 s with the same results. The cost is that a process keeps its peak
// memory until it exits, and that the kept pages fragment over a long run: `dpflow train` grew by
// about 13 MB a step at 128 px until it handed them back after every epoch
// (core/flow/freed_memory.h).
//
// jemalloc reads this symbol at start-up; the MALLOC_CONF environment variable still overrides it.
extern "C" {
// NOLINTNEXTLINE: jemalloc's documented configuration hook has to be a mutable global.
const char* malloc_conf = "dirty_decay_ms:-1,muzzy_decay_ms:-1";
}
