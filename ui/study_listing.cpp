#include "study_listing.h"

#include "image/image_description.h"
#include "image/manifest.h"
#include "preview/model_location.h"

#include <QMetaObject>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace dpflow::ui {

StudyListing listStudy(const QStringList& paths, const std::function<bool()>& superseded) {
    StudyListing listing;
    listing.paths = paths;
    const auto collect = [&](ScanEntry&& entry) {
        if (superseded && superseded()) throw ListingSuperseded{};
        listing.entries.push_back(std::move(entry));
    };
    for (const QString& path : paths) {
        // A study folder with a manifest (like the bundled sample) lists its images there; its
        // columns give each image's attribute values and ground truth. Anything else beside them
        // (masks, notes) is not part of the study.
        // A .csv given itself is the study's manifest too (e.g. the NIH set's labels.csv).
        const std::filesystem::path opened = path.toStdString();
        const std::filesystem::path manifest_path = opened.extension() == ".csv" ? opened : opened / "manifest.csv";
        if (std::filesystem::is_regular_file(manifest_path)) {
            try {
                const Manifest manifest = Manifest::read(manifest_path);
                for (std::size_t row = 0; row < manifest.size(); ++row) {
                    ManifestRow values;
                    for (const auto& column : manifest.columns()) values[column] = manifest.value(row, column);
                    listing.manifest_rows[manifest.file(row).lexically_normal().string()] = {values, manifest.baseDir()};
                    listImages(manifest.file(row), collect);
                }
                listing.manifest = manifest_path;
                listing.phantom_study = isPhantomStudyManifest(manifest.columns());
                continue;
            } catch (const ManifestError& error) {
                listing.manifest_warning = error.what();
            }
        }
        listImages(opened, collect);
    }
    for (const ScanEntry& entry : listing.entries) {
        listing.readable += entry.outcome == ScanOutcome::Found || entry.outcome == ScanOutcome::Read;
        listing.failed += entry.outcome == ScanOutcome::Failed;
        if (entry.outcome == ScanOutcome::Failed && listing.first_failure.empty()) listing.first_failure = describeScanEntry(entry);
    }
    return listing;
}

struct StudyLister::Worker {
    explicit Worker(StudyLister* owner) : owner(owner), thread([this] { loop(); }) {}

    ~Worker() {
        {
            std::lock_guard<std::mutex> lock(mutex);
            stopping = true;
        }
        wake.notify_all();
        thread.join();
    }

    // True when the request numbered `g` is no longer the newest (or the lister is going away).
    bool superseded(std::uint64_t g) {
        std::lock_guard<std::mutex> lock(mutex);
        return stopping || g != newest;
    }

    void loop() {
        while (true) {
            QStringList paths;
            std::uint64_t g = 0;
            {
                std::unique_lock<std::mutex> lock(mutex);
                wake.wait(lock, [this] { return stopping || pending.has_value(); });
                if (stopping) return;
                paths = std::move(*pending);
                pending.reset();
                g = newest;
                running = true;
            }
            try {
                auto listing = std::make_shared<const StudyListing>(listStudy(paths, [this, g] { return superseded(g); }));
                QMetaObject::invokeMethod(owner, [this, owner = owner, g, listing] {
                    if (!superseded(g)) emit owner->listed(listing);
                }, Qt::QueuedConnection);
            } catch (const ListingSuperseded&) {
            }
            std::lock_guard<std::mutex> lock(mutex);
            running = false;
        }
    }

    StudyLister* owner;
    mutable std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;
    bool running = false;
    std::uint64_t newest = 0;
    std::optional<QStringList> pending;
    std::thread thread;  // last: started once the members it uses exist
};

StudyLister::StudyLister(QObject* parent) : QObject(parent), worker_(std::make_unique<Worker>(this)) {}

StudyLister::~StudyLister() = default;

void StudyLister::list(const QStringList& paths) {
    {
        std::lock_guard<std::mutex> lock(worker_->mutex);
        worker_->pending = paths;
        ++worker_->newest;
    }
    worker_->wake.notify_all();
}

bool StudyLister::busy() const {
    std::lock_guard<std::mutex> lock(worker_->mutex);
    return worker_->running || worker_->pending.has_value();
}

}  // namespace dpflow::ui
