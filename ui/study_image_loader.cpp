#include "study_image_loader.h"

#include "image/image_error.h"
#include "image/image_reader.h"
#include "qimage_conversion.h"

#include <QMetaObject>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace dpflow::ui {
namespace {

struct Request {
    int row = 0;
    std::filesystem::path path;
    std::uint64_t generation = 0;
};

// Thumbnails are a convenience: on a 2-core workstation they must not take CPU from the
// selected image's decode or the preview (encode, noise, decode). On Linux the scheduler's
// niceness is per thread, so the thumbnail thread alone runs at the lowest priority.
void yieldCpuToEveryOtherThread() {
#ifdef __linux__
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 19);
#endif
}

}  // namespace

struct StudyImageLoader::Workers {
    explicit Workers(StudyImageLoader* owner) : owner(owner) {
        selection = std::thread([this] { selectionLoop(); });
        thumbnails = std::thread([this] { thumbnailLoop(); });
    }

    ~Workers() {
        {
            std::lock_guard<std::mutex> lock(mutex);
            stopping = true;
        }
        wake.notify_all();
        selection.join();
        thumbnails.join();
    }

    bool current(std::uint64_t g) {
        std::lock_guard<std::mutex> lock(mutex);
        return g == generation;
    }

    void selectionLoop() {
        while (true) {
            Request request;
            {
                std::unique_lock<std::mutex> lock(mutex);
                wake.wait(lock, [this] { return stopping || pending_image.has_value(); });
                if (stopping) return;
                request = std::move(*pending_image);
                pending_image.reset();
                // The cache first: a film seen a moment ago comes back without a decode.
                for (auto it = cached.begin(); it != cached.end(); ++it)
                    if (it->source_path == request.path) {
                        cached.splice(cached.begin(), cached, it);
                        deliverImage(request, cached.front());
                        request.path.clear();
                        break;
                    }
                if (request.path.empty()) continue;
            }
            try {
                // One read: the pixels and the SHA-256 of exactly those bytes (the export checks it).
                Image image = readImageBytes(readFileBytes(request.path), request.path);
                {
                    std::lock_guard<std::mutex> lock(mutex);
                    if (request.generation != generation) continue;  // a new study was opened meanwhile
                    cached.push_front(image);
                    if (cached.size() > kCachedImages) cached.pop_back();
                }
                deliverImage(request, image);
            } catch (const std::exception& error) {
                // ImageError says why the file is unreadable; anything else (memory, a codec
                // library) is reported the same way rather than ending the studio.
                const auto* image_error = dynamic_cast<const ImageError*>(&error);
                const QString reason = QString::fromStdString(image_error ? image_error->reason() : std::string(error.what()));
                const std::uint64_t g = request.generation;
                QMetaObject::invokeMethod(owner, [owner = owner, this, g, row = request.row, reason] {
                    if (current(g)) emit owner->imageFailed(row, reason);
                }, Qt::QueuedConnection);
            }
        }
    }

    // Called with or without the lock; the signal is emitted on the UI thread if still current.
    void deliverImage(const Request& request, const Image& image) {
        const std::uint64_t g = request.generation;
        QMetaObject::invokeMethod(owner, [owner = owner, this, g, row = request.row, image] {
            if (current(g)) emit owner->imageDecoded(row, image);
        }, Qt::QueuedConnection);
    }

    void thumbnailLoop() {
        yieldCpuToEveryOtherThread();
        while (true) {
            Request request;
            {
                std::unique_lock<std::mutex> lock(mutex);
                wake.wait(lock, [this] { return stopping || !pending_thumbnails.empty(); });
                if (stopping) return;
                request = std::move(pending_thumbnails.front());
                pending_thumbnails.pop_front();
                ++thumbnails_running;
            }
            QImage icon;
            QString reason;
            try {
                const Image image = readImage(request.path);
                icon = toQImage(image).scaled(kThumbnailSide, kThumbnailSide, Qt::KeepAspectRatio, Qt::SmoothTransformation);
            } catch (const ImageError& error) {
                reason = QString::fromStdString(error.reason());
            } catch (const std::exception& error) {
                reason = QString::fromStdString(error.what());
            }
            const std::uint64_t g = request.generation;
            QMetaObject::invokeMethod(owner, [owner = owner, this, g, row = request.row, icon, reason] {
                if (!current(g)) return;
                if (reason.isEmpty())
                    emit owner->thumbnailReady(row, icon);
                else
                    emit owner->thumbnailFailed(row, reason);
            }, Qt::QueuedConnection);
            std::lock_guard<std::mutex> lock(mutex);
            --thumbnails_running;
        }
    }

    StudyImageLoader* owner;
    mutable std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;
    std::uint64_t generation = 0;
    std::optional<Request> pending_image;
    std::deque<Request> pending_thumbnails;
    std::size_t thumbnails_running = 0;
    std::list<Image> cached;  // most recent first, at most kCachedImages
    std::thread selection;
    std::thread thumbnails;
};

StudyImageLoader::StudyImageLoader(QObject* parent) : QObject(parent), workers_(std::make_unique<Workers>(this)) {}

StudyImageLoader::~StudyImageLoader() = default;

void StudyImageLoader::clear() {
    std::lock_guard<std::mutex> lock(workers_->mutex);
    ++workers_->generation;
    workers_->pending_image.reset();
    workers_->pending_thumbnails.clear();
    workers_->cached.clear();  // thumbnails_running counts a decode still under way; its result is dropped (old generation)
}

void StudyImageLoader::requestImage(int row, const std::filesystem::path& path) {
    {
        std::lock_guard<std::mutex> lock(workers_->mutex);
        workers_->pending_image = Request{row, path, workers_->generation};
    }
    workers_->wake.notify_all();
}

void StudyImageLoader::requestThumbnails(const std::vector<std::pair<int, std::filesystem::path>>& rows) {
    {
        std::lock_guard<std::mutex> lock(workers_->mutex);
        // A row asked again moves to the front instead of being made twice: one pass over the queue.
        auto& queue = workers_->pending_thumbnails;
        std::unordered_set<int> asked;
        for (const auto& [row, path] : rows) asked.insert(row);
        queue.erase(std::remove_if(queue.begin(), queue.end(), [&](const Request& r) { return asked.count(r.row) > 0; }),
                    queue.end());
        for (auto it = rows.rbegin(); it != rows.rend(); ++it) queue.push_front(Request{it->first, it->second, workers_->generation});
    }
    workers_->wake.notify_all();
}

std::size_t StudyImageLoader::pendingThumbnails() const {
    std::lock_guard<std::mutex> lock(workers_->mutex);
    return workers_->pending_thumbnails.size() + workers_->thumbnails_running;
}

}  // namespace dpflow::ui
