#include "main_window.h"

#include "image_pane.h"
#include "study_browser.h"

#include "image/folder_scan.h"
#include "image/image_description.h"
#include "image/manifest.h"

#include <QAction>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMimeData>
#include <QStatusBar>

#include <filesystem>

namespace dpflow::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("DP-Flow Studio"));
    setAcceptDrops(true);
    resize(1100, 800);

    pane_ = new ImagePane(this);
    setCentralWidget(pane_);

    browser_ = new StudyBrowser(this);
    auto* dock = new QDockWidget(tr("Study"), this);
    dock->setObjectName("study-dock");
    dock->setWidget(browser_);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
    connect(browser_, &StudyBrowser::imageSelected, this, &MainWindow::showImage);

    QMenu* file_menu = menuBar()->addMenu(tr("&File"));
    file_menu->addAction(tr("&Open images..."), QKeySequence::Open, this, &MainWindow::chooseAndOpenFiles);
    file_menu->addAction(tr("Open &folder..."), this, &MainWindow::chooseAndOpenFolder);
    file_menu->addSeparator();
    file_menu->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    status_label_ = new QLabel(this);
    cursor_label_ = new QLabel(this);
    statusBar()->addWidget(status_label_, 1);
    statusBar()->addPermanentWidget(cursor_label_);
    connect(pane_, &ImagePane::pixelHovered, this, [this](int x, int y, float value) {
        cursor_label_->setText(tr("x %1  y %2  value %3").arg(x).arg(y).arg(value, 0, 'f', 4));
    });
    status_label_->setText(tr("No image open"));
}

bool MainWindow::openPaths(const QStringList& paths) {
    std::vector<ScanEntry> entries;
    const auto collect = [&entries](ScanEntry&& entry) { entries.push_back(std::move(entry)); };
    for (const QString& path : paths) {
        // A study folder with a manifest (like the bundled sample) lists its images there;
        // anything else beside them (masks, notes) is not part of the study.
        const std::filesystem::path manifest_path = std::filesystem::path(path.toStdString()) / "manifest.csv";
        if (std::filesystem::is_regular_file(manifest_path)) {
            try {
                const Manifest manifest = Manifest::read(manifest_path);
                for (std::size_t row = 0; row < manifest.size(); ++row) scanImages(manifest.file(row), collect);
                continue;
            } catch (const ManifestError& error) {
                status_label_->setText(tr("Ignoring the unreadable manifest: %1").arg(QString::fromStdString(error.what())));
            }
        }
        scanImages(path.toStdString(), collect);
    }

    std::size_t readable = 0, failed = 0;
    QString first_failure;
    for (const ScanEntry& entry : entries) {
        readable += entry.outcome == ScanOutcome::Read;
        failed += entry.outcome == ScanOutcome::Failed;
        if (entry.outcome == ScanOutcome::Failed && first_failure.isEmpty())
            first_failure = QString::fromStdString(describeScanEntry(entry));
    }
    browser_->setEntries(std::move(entries));
    if (readable == 0) {
        pane_->clear();
        status_label_->setText(failed == 0 ? tr("Cannot open: no DICOM or PNG image found")
                                           : tr("Cannot open: %1 file(s) unreadable; first: %2").arg(failed).arg(first_failure));
        return false;
    }
    browser_->selectFirstImage();
    if (failed > 0) status_label_->setText(status_label_->text() + tr("  (%1 file(s) could not be read: see the study list)").arg(failed));
    return true;
}

void MainWindow::showImage(const Image& image) {
    pane_->setImage(image);
    const QString name = QFileInfo(QString::fromStdString(image.source_path.string())).fileName();
    status_label_->setText(tr("%1 — %2").arg(name, QString::fromStdString(describeImage(image))));
    setWindowTitle(tr("DP-Flow Studio — %1").arg(name));
}

QString MainWindow::statusMessage() const { return status_label_->text(); }

void MainWindow::chooseAndOpenFiles() {
    const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Open radiographs"), QString(),
                                                            tr("Images (*.dcm *.DCM *.png *.PNG);;All files (*)"));
    if (!paths.isEmpty()) openPaths(paths);
}

void MainWindow::chooseAndOpenFolder() {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open a folder of radiographs"));
    if (!folder.isEmpty()) openPaths({folder});
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    QStringList paths;
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile()) paths << url.toLocalFile();
    if (!paths.isEmpty()) openPaths(paths);
}

}  // namespace dpflow::ui
