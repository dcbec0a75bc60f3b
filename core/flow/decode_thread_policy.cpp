#include "flow/decode_thread_policy.h"

namespace dpflow {

int DecodeThreadPolicy::threadsForNextDecode(int configured) {
    if (configured <= 1) return 1;
    if (configured != configured_) {
        configured_ = configured;
        last_configured_ = 0.0;
        last_single_ = 0.0;
        decodes_ = 0;
    }
    if (last_configured_ == 0.0) return configured;
    if (last_single_ == 0.0) return 1;
    const int preferred = last_single_ < last_configured_ ? 1 : configured;
    const bool probe = decodes_ % kProbeEvery == kProbeEvery - 1;
    return probe ? (preferred == 1 ? configured : 1) : preferred;
}

void DecodeThreadPolicy::record(int threads, double seconds) {
    if (configured_ <= 1) return;
    if (threads == configured_) {
        last_configured_ = seconds;
    } else if (threads == 1) {
        last_single_ = seconds;
    } else {
        return;
    }
    ++decodes_;
}

}  // namespace dpflow
