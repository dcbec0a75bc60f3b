#pragma once

#include <QMainWindow>
#include <QString>
#include <QStringList>

class QLabel;

namespace dpflow {
struct Image;
}

namespace dpflow::ui {

class ImagePane;
class StudyBrowser;

/// The studio's main window: a study browser of the opened files and folders and a pane
/// showing the selected radiograph with its acquisition facts. Unreadable files are reported in
/// the browser and the status bar, never in a modal dialog, so opening a folder with many bad
/// files cannot cause a storm of pop-ups.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);

    /// Opens files and folders (DICOM and PNG, recognised by content; folders recursively) into
    /// the study browser and shows the first readable image. Returns false when nothing in
    /// `paths` could be shown; the reasons are in the browser and the status bar.
    bool openPaths(const QStringList& paths);

    /// The message currently shown about the open image or the last error.
    QString statusMessage() const;

    ImagePane* pane() const { return pane_; }
    StudyBrowser* studyBrowser() const { return browser_; }

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void showImage(const dpflow::Image& image);
    void chooseAndOpenFiles();
    void chooseAndOpenFolder();

    ImagePane* pane_ = nullptr;
    StudyBrowser* browser_ = nullptr;
    QLabel* status_label_ = nullptr;
    QLabel* cursor_label_ = nullptr;
};

}  // namespace dpflow::ui
