#pragma once

#include "preview/preview_request.h"
#include "preview/preview_result.h"
#include "preview/preview_session.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace dpflow {

/// What the worker reports back. Every callback runs on the worker's thread; a Qt caller
/// forwards them to its own thread with a queued signal. Callbacks must not call back into the
/// worker's destructor.
struct PreviewCallbacks {
    /// A fresh preview for the latest request (stale ones are never delivered).
    std::function<void(PreviewResult)> result;
    /// An image finished loading: its model-size image, the encode time in milliseconds and the
    /// number loadImage returned for it (a caller that loaded another image since ignores it).
    std::function<void(const Image& model_image, double encode_ms, std::uint64_t load)> image_loaded;
    /// A release finished: the privatized image (absent when withheld) and its record. `tag` is
    /// the caller's, from exportRelease.
    std::function<void(PrivatizedImage release, std::uint64_t tag)> exported;
    /// A job failed: what failed ("load", "preview", "export") and the message to show.
    std::function<void(std::string what, std::string message)> error;
};

/// Runs a PreviewSession on its own thread so the caller (the UI thread) never waits for an
/// encode or decode. Preview requests coalesce: only the latest pending request runs, and a
/// result that a newer request has overtaken while it was computed is dropped. Image loads,
/// noise redraws and exports are queued in order and always run.
class PreviewWorker {
public:
    /// Starts the thread. `session` must outlive the worker and is used only from its thread.
    PreviewWorker(PreviewSession& session, PreviewCallbacks callbacks);
    /// Finishes the job in progress, drops pending ones and joins the thread.
    ~PreviewWorker();
    PreviewWorker(const PreviewWorker&) = delete;
    PreviewWorker& operator=(const PreviewWorker&) = delete;

    /// Queues loading `image` with its true attribute values (encode + new noise draw). Returns
    /// the load's number (1, 2, ...), which image_loaded carries back.
    std::uint64_t loadImage(Image image, AttributeValues truth);
    /// Queues re-encoding the loaded image under other true attribute values.
    void setTrueAttributes(AttributeValues truth);
    /// Queues a fresh unit noise draw.
    void newNoiseDraw();
    /// Replaces any pending preview request with `request` (stamping its serial and submission
    /// time) and returns the serial. Never blocks on the engine.
    std::uint64_t submit(PreviewRequest request);
    /// Queues a release of the loaded image with fresh secure noise; `tag` comes back with it.
    void exportRelease(PreviewRequest request, std::uint64_t tag);

    /// Serial of the latest submitted request (0 before the first).
    std::uint64_t latestSerial() const;
    /// Number of preview requests actually rendered (coalesced ones are not).
    std::uint64_t renderedCount() const;

private:
    struct Job {
        enum class Kind { Load, Attributes, NewDraw, Export } kind;
        Image image;
        AttributeValues truth;
        PreviewRequest request;
        std::uint64_t tag = 0;
    };
    void run();
    void runJob(Job& job);
    void report(const std::string& what, const std::exception& error);

    PreviewSession& session_;
    PreviewCallbacks callbacks_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> jobs_;
    std::optional<PreviewRequest> pending_;
    std::uint64_t latest_serial_ = 0;
    std::uint64_t latest_load_ = 0;
    std::uint64_t rendered_ = 0;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace dpflow
