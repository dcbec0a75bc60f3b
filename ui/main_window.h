#pragma once

#include <QMainWindow>
#include <QString>

class QLabel;

namespace dpflow::ui {

class ImagePane;

/// The studio's main window. For now: open a radiograph (menu, command line or drag and
/// drop) and show it with its acquisition facts; unreadable files are reported in the status
/// bar, never in a modal dialog, so opening many files cannot cause a storm of pop-ups.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);

    /// Opens `path` (DICOM or PNG). Returns false and shows the reason if it cannot be read.
    bool openImage(const QString& path);

    /// The message currently shown about the open image or the last error.
    QString statusMessage() const;

    ImagePane* pane() const { return pane_; }

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void chooseAndOpenImage();
    void showStatus(const QString& message);

    ImagePane* pane_ = nullptr;
    QLabel* status_label_ = nullptr;
    QLabel* cursor_label_ = nullptr;
};

}  // namespace dpflow::ui
