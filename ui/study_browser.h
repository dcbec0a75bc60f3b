#pragma once

#include "image/folder_scan.h"

#include <QWidget>

#include <vector>

class QListWidget;

namespace dpflow::ui {

/// The list of images of an opened folder or set of files. Every file found is listed:
/// readable images by name, files that failed with a warning icon and their reason as tooltip
/// and in the row, so a folder with bad files reports them all at once without a dialog each.
class StudyBrowser : public QWidget {
    Q_OBJECT

public:
    explicit StudyBrowser(QWidget* parent = nullptr);

    /// Replaces the list with `entries` (skipped non-image files are left out of the list).
    void setEntries(std::vector<ScanEntry> entries);

    /// Number of listed rows, readable or not.
    int rowCount() const;
    /// Number of rows whose file could not be read.
    int failedCount() const;
    /// Selects the first readable image, if any (emits imageSelected).
    void selectFirstImage();

signals:
    /// The user (or selectFirstImage) chose a readable image.
    void imageSelected(const dpflow::Image& image);

private:
    void onRowChanged(int row);

    QListWidget* list_ = nullptr;
    std::vector<ScanEntry> entries_;
};

}  // namespace dpflow::ui
