#pragma once

#include "image/image.h"

#include <QImage>
#include <QObject>
#include <QString>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

namespace dpflow::ui {

/// Decodes a study's images off the UI thread, so a study of any size opens at once and the
/// UI never waits on a file:
/// - the selected image on one thread: the newest request wins, and a request overtaken before
///   its decode starts is dropped (a decode already running finishes and is then ignored);
///   the last few decoded images are kept (a bounded cache), so going back to one is instant;
/// - thumbnails on another, at the lowest scheduling priority (Linux) so they never take CPU
///   from the selection or the preview: most urgent first (the rows on screen), each file
///   decoded, shrunk to an icon and let go, so only icons stay in memory.
/// Results come back as signals on the UI thread, tagged with the study generation they were
/// asked under; after clear() nothing of the earlier study is delivered.
class StudyImageLoader : public QObject {
    Q_OBJECT

public:
    /// Side of a thumbnail (pixels) and how many decoded images the selection keeps.
    static constexpr int kThumbnailSide = 48;
    static constexpr std::size_t kCachedImages = 3;

    explicit StudyImageLoader(QObject* parent = nullptr);
    ~StudyImageLoader() override;

    /// Forgets every pending request and the cache (a new study is opened).
    void clear();

    /// Decodes `path` (row `row` of the browser) as the selected image, superseding any earlier
    /// request that has not started.
    void requestImage(int row, const std::filesystem::path& path);

    /// Queues thumbnails ahead of those already waiting, in the given order (rows already
    /// thumbnailed or queued are the caller's business).
    void requestThumbnails(const std::vector<std::pair<int, std::filesystem::path>>& rows);

    /// Thumbnails still waiting or being made.
    std::size_t pendingThumbnails() const;

signals:
    void imageDecoded(int row, const dpflow::Image& image);
    void imageFailed(int row, const QString& reason);
    void thumbnailReady(int row, const QImage& thumbnail);
    void thumbnailFailed(int row, const QString& reason);

private:
    struct Workers;
    std::unique_ptr<Workers> workers_;
};

}  // namespace dpflow::ui
