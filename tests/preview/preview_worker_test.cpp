#include "preview/preview_worker.h"

#include "preview_test_support.h"

#include "privacy/random_source.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <vector>

namespace dpflow::test {
namespace {

using namespace std::chrono_literals;

// Collects what the worker reports, for the test thread to wait on.
struct Inbox {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<PreviewResult> results;
    std::vector<PrivatizedImage> exports;
    std::vector<std::string> errors;
    std::vector<std::uint64_t> loads;

    PreviewCallbacks callbacks() {
        PreviewCallbacks c;
        c.image_loaded = [this](const Image&, double, std::uint64_t load) { push([&] { loads.push_back(load); }); };
        c.result = [this](PreviewResult r) { push([&] { results.push_back(std::move(r)); }); };
        c.exported = [this](PrivatizedImage r, std::uint64_t) { push([&] { exports.push_back(std::move(r)); }); };
        c.error = [this](std::string what, std::string message) { push([&] { errors.push_back(what + ": " + message); }); };
        return c;
    }
    template <class F> void push(F f) {
        std::lock_guard<std::mutex> lock(mutex);
        f();
        changed.notify_all();
    }
    template <class P> bool waitFor(P predicate) {
        std::unique_lock<std::mutex> lock(mutex);
        return changed.wait_for(lock, 20s, predicate);
    }
};

TEST(PreviewWorker, NumbersEachImageLoadSoACallerCanTellAStaleOneFromTheLatest) {
    SystemRandomSource source;
    PreviewSession session(pneumoniaReference(), source);
    Inbox inbox;
    PreviewWorker worker(session, inbox.callbacks());
    const std::uint64_t first = worker.loadImage(chestImage(), labelZero());
    const std::uint64_t second = worker.loadImage(chestImage(), labelZero());
    EXPECT_LT(first, second);
    ASSERT_TRUE(inbox.waitFor([&] { return inbox.loads.size() == 2; }));
    EXPECT_EQ(inbox.loads, (std::vector<std::uint64_t>{first, second}));  // both reported, in order, each with its number
}

TEST(PreviewWorker, DeliversThePreviewOfASubmittedRequest) {
    SystemRandomSource source;
    PreviewSession session(pneumoniaReference(), source);
    Inbox inbox;
    PreviewWorker worker(session, inbox.callbacks());
    worker.loadImage(chestImage(), labelZero());
    const auto serial = worker.submit(previewRequest(PrivacyMechanism::DpGlow, 1e5));
    ASSERT_TRUE(inbox.waitFor([&] { return !inbox.results.empty(); }));
    EXPECT_EQ(inbox.results[0].serial, serial);
    EXPECT_EQ(inbox.results[0].image.width, 32);
    EXPECT_GT(inbox.results[0].decode_ms, 0.0);
}

TEST(PreviewWorker, CoalescingDropsIntermediateRequests) {
    SystemRandomSource source;
    PreviewSession session(pneumoniaReference(), source);
    Inbox inbox;
    std::promise<void> submitted;
    std::shared_future<void> all_submitted = submitted.get_future().share();
    PreviewCallbacks callbacks = inbox.callbacks();
    // Hold the worker inside the load until every slider move has been submitted.
    callbacks.image_loaded = [all_submitted](const Image&, double, std::uint64_t) { all_submitted.wait(); };
    PreviewWorker worker(session, callbacks);
    worker.loadImage(chestImage(), labelZero());
    std::uint64_t last = 0;
    for (int i = 0; i < 20; ++i) last = worker.submit(previewRequest(PrivacyMechanism::DpGlow, 1e4 * (i + 1)));
    submitted.set_value();
    ASSERT_TRUE(inbox.waitFor([&] { return !inbox.results.empty(); }));
    std::this_thread::sleep_for(100ms);  // give a wrongly queued second render the chance to show up
    EXPECT_EQ(worker.renderedCount(), 1u);
    ASSERT_EQ(inbox.results.size(), 1u);
    EXPECT_EQ(inbox.results[0].serial, last);
    EXPECT_EQ(inbox.results[0].accounting.epsilon_mechanism, 2e5);
}

TEST(PreviewWorker, AResultOvertakenByANewerRequestIsDropped) {
    SystemRandomSource source;
    PreviewSession session(pneumoniaReference(), source);
    Inbox inbox;
    std::uint64_t newer = 0;
    PreviewWorker worker(session, inbox.callbacks());
    worker.loadImage(chestImage(), labelZero());
    // Submit many requests back to back: each render that finishes after a newer submit is dropped.
    for (int i = 0; i < 50; ++i) newer = worker.submit(previewRequest(PrivacyMechanism::DpGlow, 1e4 * (i + 1)));
    ASSERT_TRUE(inbox.waitFor([&] { return !inbox.results.empty() && inbox.results.back().serial == newer; }));
    for (std::size_t i = 1; i < inbox.results.size(); ++i) EXPECT_GT(inbox.results[i].serial, inbox.results[i - 1].serial);
    EXPECT_LE(inbox.results.size(), worker.renderedCount());
    EXPECT_LT(worker.renderedCount(), 50u);
}

TEST(PreviewWorker, ExportsRunOnTheWorkerWithFreshNoise) {
    SystemRandomSource source;
    PreviewSession session(pneumoniaReference(), source);
    Inbox inbox;
    PreviewWorker worker(session, inbox.callbacks());
    worker.loadImage(chestImage(), labelZero());
    const auto request = previewRequest(PrivacyMechanism::DpGlow, 3e4);
    worker.submit(request);
    worker.exportRelease(request, 7);
    ASSERT_TRUE(inbox.waitFor([&] { return !inbox.results.empty() && !inbox.exports.empty(); }));
    ASSERT_TRUE(inbox.exports[0].image);
    EXPECT_GT(meanAbsoluteDifference(*inbox.exports[0].image, inbox.results[0].image), 1e-3);
    EXPECT_EQ(inbox.exports[0].record.accounting.epsilon_total, inbox.results[0].accounting.epsilon_total);
}

TEST(PreviewWorker, AFailingRequestIsReportedAndTheWorkerGoesOn) {
    SystemRandomSource source;
    PreviewSession session(pneumoniaReference(), source);
    Inbox inbox;
    PreviewWorker worker(session, inbox.callbacks());
    worker.loadImage(chestImage(), labelZero());
    worker.submit(previewRequest(PrivacyMechanism::DpGlow, -1.0));
    ASSERT_TRUE(inbox.waitFor([&] { return !inbox.errors.empty(); }));
    EXPECT_EQ(inbox.errors[0].rfind("preview: ", 0), 0u) << inbox.errors[0];
    worker.submit(previewRequest(PrivacyMechanism::DpGlow, 1e5));
    EXPECT_TRUE(inbox.waitFor([&] { return !inbox.results.empty(); }));
}

}  // namespace
}  // namespace dpflow::test
