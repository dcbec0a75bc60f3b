// How many threads a decode gets: the configured count while decodes keep their pace, one thread
// for a while after a decode much slower than the best (another process holds a core), then the
// configured count again.

#include "flow/decode_thread_policy.h"

#include <gtest/gtest.h>

namespace dpflow {
namespace {

TEST(DecodeThreadPolicyTest, UsesTheConfiguredThreadsWhileDecodesKeepTheirPace) {
    DecodeThreadPolicy policy;
    for (int i = 0; i < 50; ++i) {
        const int threads = policy.threadsForNextDecode(2);
        EXPECT_EQ(threads, 2);
        policy.record(threads, i % 2 ? 0.010 : 0.012);  // within kSlowFactor of the best
    }
    EXPECT_DOUBLE_EQ(policy.bestConfiguredSeconds(), 0.010);
}

TEST(DecodeThreadPolicyTest, FallsBackToOneThreadAfterASlowDecodeThenProbesAgain) {
    DecodeThreadPolicy policy;
    policy.record(policy.threadsForNextDecode(2), 0.010);
    policy.record(policy.threadsForNextDecode(2), 0.040);  // a descheduled team
    for (int i = 0; i < DecodeThreadPolicy::kSingleThreadDecodes; ++i) {
        const int threads = policy.threadsForNextDecode(2);
        ASSERT_EQ(threads, 1) << "decode " << i << " after the slow one";
        policy.record(threads, 0.015);
    }
    const int probe = policy.threadsForNextDecode(2);
    EXPECT_EQ(probe, 2);
    policy.record(probe, 0.011);  // the load has gone
    EXPECT_EQ(policy.threadsForNextDecode(2), 2);
}

TEST(DecodeThreadPolicyTest, StaysOnOneThreadWhileTheProbesStaySlow) {
    DecodeThreadPolicy policy;
    policy.record(policy.threadsForNextDecode(2), 0.010);
    int single = 0;
    for (int i = 0; i < 100; ++i) {
        const int threads = policy.threadsForNextDecode(2);
        single += threads == 1;
        policy.record(threads, threads == 1 ? 0.015 : 0.040);
    }
    EXPECT_GE(single, 90);
}

TEST(DecodeThreadPolicyTest, OneConfiguredThreadIsOneThread) {
    DecodeThreadPolicy policy;
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(policy.threadsForNextDecode(1), 1);
        policy.record(1, 0.01 * (i + 1));
    }
}

TEST(DecodeThreadPolicyTest, ANewConfiguredCountStartsAfresh) {
    DecodeThreadPolicy policy;
    policy.record(policy.threadsForNextDecode(2), 0.010);
    policy.record(policy.threadsForNextDecode(2), 0.050);
    EXPECT_EQ(policy.threadsForNextDecode(2), 1);
    EXPECT_EQ(policy.threadsForNextDecode(4), 4);
    EXPECT_DOUBLE_EQ(policy.bestConfiguredSeconds(), 0.0);
}

}  // namespace
}  // namespace dpflow
