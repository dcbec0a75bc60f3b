#pragma once

// How many threads the next CPU decode uses. A team of threads waits at every barrier for its
// slowest member; on a 2-core workstation with one core busy elsewhere, the second thread is
// descheduled for whole time slices, and a 2-thread decode was measured 4.3x slower than quiet
// (worse than 1 thread). The policy watches the decodes' own timings: it uses whichever of the
// configured count and one thread decoded faster when last tried, and tries the other every
// kProbeEvery decodes, so it follows a load that comes and goes, and one that was there from
// the start. Torch-free and clock-free: callers time the decodes, so tests can feed timings.
// FlowModel keeps one for its decodes and one for its encodes (the same holds for either).

namespace dpflow {

class DecodeThreadPolicy {
public:
    /// One decode in this many tries the setting not currently preferred.
    static constexpr int kProbeEvery = 16;

    /// Threads for the next decode when `configured` are wanted (1 or `configured`).
    int threadsForNextDecode(int configured);

    /// Records that a decode with `threads` threads took `seconds`.
    void record(int threads, double seconds);

private:
    int configured_ = 0;
    double last_configured_ = 0.0;  // seconds of the last decode with the configured count; 0: none yet
    long decodes_ = 0;
    double last_single_ = 0.0;  // seconds of the last decode on one thread; 0: none yet
};

}  // namespace dpflow
