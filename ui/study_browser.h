#pragma once

#include "image/folder_scan.h"

#include <QWidget>

#include <vector>

class QListWidget;

namespace dpflow::ui {

class StudyImageLoader;

/// The list of images of an opened folder or set of files. It holds the listing only (no
/// pixels): thumbnails are made on a worker thread, rows on screen first, and the selected image
/// is decoded on another (StudyImageLoader), so a study of 1,000 clinical films opens at once.
/// Every file found is listed; a file that turns out unreadable, when listed or when decoded,
/// gets a warning icon and its reason in the row and as tooltip, so a folder with bad files
/// reports them all without a dialog each.
class StudyBrowser : public QWidget {
    Q_OBJECT

public:
    explicit StudyBrowser(QWidget* parent = nullptr);
    ~StudyBrowser() override;

    /// Replaces the list with `entries` (from listImages or scanImages; skipped non-image files
    /// are left out) and starts making thumbnails.
    void setEntries(std::vector<ScanEntry> entries);

    /// Number of listed rows, readable or not.
    int rowCount() const;
    /// Number of rows whose file could not be read (so far: decoding finds more).
    int failedCount() const;
    /// Thumbnails not made yet.
    std::size_t pendingThumbnails() const;
    /// Selects the first image that has not failed, if any; its decode follows (imageSelected),
    /// and when it fails the next one is tried.
    void selectFirstImage();

signals:
    /// The chosen image (by the user or selectFirstImage), decoded.
    void imageSelected(const dpflow::Image& image);
    /// The chosen image could not be decoded; `message` names the file and the reason.
    void imageFailed(const QString& message);
    /// failedCount() went up (a thumbnail or a selection found a file unreadable).
    void failedCountChanged(int failed);

private:
    void onRowChanged(int row);
    void requestVisibleThumbnails();
    void markFailed(int row, const QString& reason);
    bool selectable(std::size_t row) const;

    QListWidget* list_ = nullptr;
    StudyImageLoader* loader_ = nullptr;
    std::vector<ScanEntry> entries_;
    int first_choice_row_ = -1;  ///< the row selectFirstImage chose: if it fails, the next one is tried
};

}  // namespace dpflow::ui
