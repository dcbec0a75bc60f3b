#pragma once

// How many threads the next CPU decode uses. A team of threads waits at every barrier for its
// slowest member; on a 2-core workstation with one core busy elsewhere, the second thread is
// descheduled for whole time slices, and a 2-thread decode was measured 4.3x slower than quiet
// (worse than 1 thread). The policy watches the decodes' own timings: when a decode with the
// configured threads takes much longer than the best seen, the next decodes run on one thread
// (which then has a core of its own), and every so often one probes the configured count again.
// Torch-free and clock-free: callers time the decodes, so tests can feed it timings.

namespace dpflow {

class DecodeThreadPolicy {
public:
    /// A decode with the configured threads slower than this multiple of the best such decode
    /// means another process holds a core.
    static constexpr double kSlowFactor = 1.6;
    /// Decodes on one thread after a slow one, before the configured count is tried again.
    static constexpr int kSingleThreadDecodes = 15;

    /// Threads for the next decode when `configured` are wanted (1 or `configured`).
    int threadsForNextDecode(int configured);

    /// Records that a decode with `threads` threads took `seconds`.
    void record(int threads, double seconds);

    /// Best decode time seen with the configured threads (seconds; 0 before any).
    double bestConfiguredSeconds() const { return best_configured_; }

private:
    int configured_ = 0;
    double best_configured_ = 0.0;
    int single_thread_left_ = 0;
};

}  // namespace dpflow
