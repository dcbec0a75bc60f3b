#include "main_window.h"

#include "image_pane.h"

#include "image/image_error.h"
#include "image/image_reader.h"

#include <QAction>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMimeData>
#include <QStatusBar>

namespace dpflow::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("DP-Flow Studio"));
    setAcceptDrops(true);
    resize(900, 760);

    pane_ = new ImagePane(this);
    setCentralWidget(pane_);

    QMenu* file_menu = menuBar()->addMenu(tr("&File"));
    QAction* open_action = file_menu->addAction(tr("&Open image..."), this, &MainWindow::chooseAndOpenImage);
    open_action->setShortcut(QKeySequence::Open);
    file_menu->addSeparator();
    QAction* quit_action = file_menu->addAction(tr("&Quit"), this, &QWidget::close);
    quit_action->setShortcut(QKeySequence::Quit);

    status_label_ = new QLabel(this);
    cursor_label_ = new QLabel(this);
    statusBar()->addWidget(status_label_, 1);
    statusBar()->addPermanentWidget(cursor_label_);
    connect(pane_, &ImagePane::pixelHovered, this, [this](int x, int y, float value) {
        cursor_label_->setText(tr("x %1  y %2  value %3").arg(x).arg(y).arg(value, 0, 'f', 4));
    });
    showStatus(tr("No image open"));
}

bool MainWindow::openImage(const QString& path) {
    try {
        const Image image = readImage(path.toStdString());
        pane_->setImage(image);
        QString message = tr("%1 — %2 x %3, %4 bits stored, %5")
                              .arg(QFileInfo(path).fileName())
                              .arg(image.width)
                              .arg(image.height)
                              .arg(image.stored_bits)
                              .arg(QString::fromStdString(image.photometric));
        for (const std::string& warning : image.warnings) message += tr("; warning: %1").arg(QString::fromStdString(warning));
        showStatus(message);
        setWindowTitle(tr("DP-Flow Studio — %1").arg(QFileInfo(path).fileName()));
        return true;
    } catch (const std::exception& error) {
        showStatus(tr("Cannot open %1: %2").arg(path, QString::fromLocal8Bit(error.what())));
        return false;
    }
}

QString MainWindow::statusMessage() const { return status_label_->text(); }

void MainWindow::chooseAndOpenImage() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open radiograph"), QString(),
                                                      tr("Images (*.dcm *.DCM *.png *.PNG);;All files (*)"));
    if (!path.isEmpty()) openImage(path);
}

void MainWindow::showStatus(const QString& message) { status_label_->setText(message); }

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.first().isLocalFile()) openImage(urls.first().toLocalFile());
}

}  // namespace dpflow::ui
