#include "flow/decode_thread_policy.h"

namespace dpflow {

int DecodeThreadPolicy::threadsForNextDecode(int configured) {
    if (configured <= 1) return 1;
    if (configured != configured_) {
        configured_ = configured;
        best_configured_ = 0.0;
        single_thread_left_ = 0;
    }
    return single_thread_left_ > 0 ? 1 : configured;
}

void DecodeThreadPolicy::record(int threads, double seconds) {
    if (configured_ <= 1) return;
    if (threads == 1 && single_thread_left_ > 0) {
        --single_thread_left_;
        return;
    }
    if (threads != configured_) return;
    if (best_configured_ == 0.0 || seconds < best_configured_) {
        best_configured_ = seconds;
        return;
    }
    if (seconds > kSlowFactor * best_configured_) single_thread_left_ = kSingleThreadDecodes;
}

}  // namespace dpflow
