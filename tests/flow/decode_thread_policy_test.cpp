// How many threads a decode gets: whichever of the configured count and one thread decoded
// faster when last tried, the other tried every kProbeEvery decodes, so that a load which comes,
// goes, or was there from the start is followed.

#include "flow/decode_thread_policy.h"

#include <gtest/gtest.h>

#include <functional>

namespace dpflow {
namespace {

/// Runs `decodes` decodes with 2 threads configured, each taking `seconds(threads)`; returns how
/// many ran on one thread.
int singleThreadDecodes(DecodeThreadPolicy& policy, int decodes, const std::function<double(int)>& seconds) {
    int single = 0;
    for (int i = 0; i < decodes; ++i) {
        const int threads = policy.threadsForNextDecode(2);
        EXPECT_TRUE(threads == 1 || threads == 2);
        single += threads == 1;
        policy.record(threads, seconds(threads));
    }
    return single;
}

TEST(DecodeThreadPolicyTest, TriesTheConfiguredCountThenOneThread) {
    DecodeThreadPolicy policy;
    EXPECT_EQ(policy.threadsForNextDecode(2), 2);
    policy.record(2, 0.010);
    EXPECT_EQ(policy.threadsForNextDecode(2), 1);
}

TEST(DecodeThreadPolicyTest, KeepsTheConfiguredThreadsOnAQuietMachineButForTheProbes) {
    DecodeThreadPolicy policy;
    const int single = singleThreadDecodes(policy, 160, [](int threads) { return threads == 2 ? 0.006 : 0.010; });
    EXPECT_LE(single, 160 / DecodeThreadPolicy::kProbeEvery + 1);
}

TEST(DecodeThreadPolicyTest, MovesToOneThreadWhenAnotherProcessHoldsACore) {
    DecodeThreadPolicy policy;
    singleThreadDecodes(policy, 50, [](int threads) { return threads == 2 ? 0.006 : 0.010; });
    const int single = singleThreadDecodes(policy, 160, [](int threads) { return threads == 2 ? 0.040 : 0.010; });
    EXPECT_GE(single, 160 - 160 / DecodeThreadPolicy::kProbeEvery - 2);
}

TEST(DecodeThreadPolicyTest, ComesBackToTheConfiguredThreadsWhenTheLoadGoes) {
    DecodeThreadPolicy policy;
    singleThreadDecodes(policy, 50, [](int threads) { return threads == 2 ? 0.040 : 0.010; });
    singleThreadDecodes(policy, DecodeThreadPolicy::kProbeEvery, [](int threads) { return threads == 2 ? 0.006 : 0.010; });
    const int single = singleThreadDecodes(policy, 160, [](int threads) { return threads == 2 ? 0.006 : 0.010; });
    EXPECT_LE(single, 160 / DecodeThreadPolicy::kProbeEvery + 1);
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
    singleThreadDecodes(policy, 20, [](int threads) { return threads == 2 ? 0.040 : 0.010; });
    EXPECT_EQ(policy.threadsForNextDecode(4), 4);
}

}  // namespace
}  // namespace dpflow
