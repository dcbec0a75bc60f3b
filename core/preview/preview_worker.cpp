#include "preview/preview_worker.h"

namespace dpflow {

PreviewWorker::PreviewWorker(PreviewSession& session, PreviewCallbacks callbacks)
    : session_(session), callbacks_(std::move(callbacks)), thread_([this] { run(); }) {}

PreviewWorker::~PreviewWorker() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

std::uint64_t PreviewWorker::loadImage(Image image, AttributeValues truth) {
    std::uint64_t load;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        load = ++latest_load_;
        jobs_.push_back(Job{Job::Kind::Load, std::move(image), std::move(truth), {}, load});
    }
    wake_.notify_one();
    return load;
}

void PreviewWorker::setTrueAttributes(AttributeValues truth) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        jobs_.push_back(Job{Job::Kind::Attributes, {}, std::move(truth), {}, 0});
    }
    wake_.notify_one();
}

void PreviewWorker::newNoiseDraw() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        jobs_.push_back(Job{Job::Kind::NewDraw, {}, {}, {}, 0});
    }
    wake_.notify_one();
}

std::uint64_t PreviewWorker::submit(PreviewRequest request) {
    std::uint64_t serial;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        serial = ++latest_serial_;
        request.serial = serial;
        request.submitted = std::chrono::steady_clock::now();
        pending_ = std::move(request);
    }
    wake_.notify_one();
    return serial;
}

void PreviewWorker::exportRelease(PreviewRequest request, std::uint64_t tag) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        jobs_.push_back(Job{Job::Kind::Export, {}, {}, std::move(request), tag});
    }
    wake_.notify_one();
}

std::uint64_t PreviewWorker::latestSerial() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return latest_serial_;
}

std::uint64_t PreviewWorker::renderedCount() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return rendered_;
}

void PreviewWorker::report(const std::string& what, const std::exception& error) {
    if (callbacks_.error) callbacks_.error(what, error.what());
}

void PreviewWorker::runJob(Job& job) {
    try {
        switch (job.kind) {
            case Job::Kind::Load:
                session_.setImage(job.image, job.truth);
                if (callbacks_.image_loaded)
                    callbacks_.image_loaded(session_.modelImage(), session_.lastEncodeMilliseconds(), job.tag);
                break;
            case Job::Kind::Attributes:
                session_.setTrueAttributes(job.truth);
                break;
            case Job::Kind::NewDraw:
                session_.newNoiseDraw();
                break;
            case Job::Kind::Export:
                if (callbacks_.exported) callbacks_.exported(session_.exportRelease(job.request), job.tag);
                break;
        }
    } catch (const std::exception& error) {
        report(job.kind == Job::Kind::Export ? "export" : "load", error);
    }
}

void PreviewWorker::run() {
    for (;;) {
        std::optional<Job> job;
        std::optional<PreviewRequest> request;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !jobs_.empty() || pending_; });
            if (stopping_) return;
            // Queued jobs first: a load or redraw must precede the preview asked for after it.
            if (!jobs_.empty()) {
                job = std::move(jobs_.front());
                jobs_.pop_front();
            } else {
                request = std::move(pending_);
                pending_.reset();
            }
        }
        if (job) {
            runJob(*job);
            continue;
        }
        if (!session_.hasImage()) continue;  // nothing to preview yet; the next submit after a load renders
        try {
            PreviewResult result = session_.render(*request);
            bool stale;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                ++rendered_;
                stale = result.serial != latest_serial_;
            }
            if (!stale && callbacks_.result) callbacks_.result(std::move(result));
        } catch (const std::exception& error) {
            report("preview", error);
        }
    }
}

}  // namespace dpflow
