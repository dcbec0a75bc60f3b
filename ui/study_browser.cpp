#include "study_browser.h"

#include "qimage_conversion.h"
#include "study_image_loader.h"

#include <QApplication>
#include <QListWidget>
#include <QPixmap>
#include <QScrollBar>
#include <QStyle>
#include <QVBoxLayout>

#include <algorithm>

namespace dpflow::ui {

StudyBrowser::StudyBrowser(QWidget* parent) : QWidget(parent) {
    list_ = new QListWidget(this);
    list_->setIconSize(QSize(StudyImageLoader::kThumbnailSide, StudyImageLoader::kThumbnailSide));
    list_->setUniformItemSizes(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(list_);
    loader_ = new StudyImageLoader(this);
    connect(list_, &QListWidget::currentRowChanged, this, &StudyBrowser::onRowChanged);
    connect(list_->verticalScrollBar(), &QScrollBar::valueChanged, this, &StudyBrowser::requestVisibleThumbnails);
    connect(loader_, &StudyImageLoader::thumbnailReady, this, [this](int row, const QImage& icon) {
        if (row < list_->count()) list_->item(row)->setIcon(QPixmap::fromImage(icon));
    });
    connect(loader_, &StudyImageLoader::thumbnailFailed, this, &StudyBrowser::markFailed);
    connect(loader_, &StudyImageLoader::imageDecoded, this, [this](int row, const Image& image) {
        if (row != list_->currentRow()) return;  // overtaken by another choice
        first_choice_row_ = -1;
        emit imageSelected(image);
    });
    connect(loader_, &StudyImageLoader::imageFailed, this, [this](int row, const QString& reason) {
        markFailed(row, reason);
        if (row != list_->currentRow()) return;
        if (row == first_choice_row_) {
            selectFirstImage();  // the next one that has not failed
            return;
        }
        emit imageFailed(tr("%1: %2").arg(QString::fromStdString(entries_[static_cast<std::size_t>(row)].path.filename().string()), reason));
    });
}

StudyBrowser::~StudyBrowser() = default;

void StudyBrowser::setEntries(std::vector<ScanEntry> entries) {
    entries.erase(std::remove_if(entries.begin(), entries.end(),
                                 [](const ScanEntry& e) { return e.outcome == ScanOutcome::Skipped; }),
                  entries.end());
    loader_->clear();
    entries_ = std::move(entries);
    first_choice_row_ = -1;
    const QSignalBlocker blocker(list_);
    list_->clear();
    for (std::size_t row = 0; row < entries_.size(); ++row) {
        const ScanEntry& entry = entries_[row];
        auto* item = new QListWidgetItem(QString::fromStdString(entry.path.filename().string()), list_);
        item->setToolTip(QString::fromStdString(entry.path.string()));
        if (entry.outcome == ScanOutcome::Failed) markFailed(static_cast<int>(row), QString::fromStdString(entry.reason));
        if (entry.image)
            item->setIcon(QPixmap::fromImage(toQImage(*entry.image).scaled(StudyImageLoader::kThumbnailSide, StudyImageLoader::kThumbnailSide,
                                                                           Qt::KeepAspectRatio, Qt::SmoothTransformation)));
    }
    // Every row gets its thumbnail in list order; the rows on screen go first, now and on scrolling.
    std::vector<std::pair<int, std::filesystem::path>> all;
    for (std::size_t row = 0; row < entries_.size(); ++row)
        if (selectable(row) && !entries_[row].image) all.emplace_back(static_cast<int>(row), entries_[row].path);
    loader_->requestThumbnails(all);
}

int StudyBrowser::rowCount() const { return list_->count(); }

int StudyBrowser::failedCount() const {
    return static_cast<int>(std::count_if(entries_.begin(), entries_.end(),
                                          [](const ScanEntry& e) { return e.outcome == ScanOutcome::Failed; }));
}

std::size_t StudyBrowser::pendingThumbnails() const { return loader_->pendingThumbnails(); }

bool StudyBrowser::selectable(std::size_t row) const { return entries_[row].outcome != ScanOutcome::Failed; }

void StudyBrowser::selectFirstImage() {
    for (std::size_t row = 0; row < entries_.size(); ++row) {
        if (!selectable(row)) continue;
        first_choice_row_ = static_cast<int>(row);
        if (list_->currentRow() == static_cast<int>(row))
            onRowChanged(static_cast<int>(row));
        else
            list_->setCurrentRow(static_cast<int>(row));
        return;
    }
    first_choice_row_ = -1;
    if (!entries_.empty()) emit imageFailed(tr("no image of this study could be read"));
}

void StudyBrowser::onRowChanged(int row) {
    if (row < 0 || row >= static_cast<int>(entries_.size())) return;
    if (row != first_choice_row_) first_choice_row_ = -1;  // the user chose: a failure is reported, not skipped
    const ScanEntry& entry = entries_[static_cast<std::size_t>(row)];
    if (entry.image) {  // an entry that was already decoded (scanImages)
        first_choice_row_ = -1;
        emit imageSelected(*entry.image);
        return;
    }
    if (entry.outcome == ScanOutcome::Failed) {
        emit imageFailed(tr("%1: %2").arg(QString::fromStdString(entry.path.filename().string()), QString::fromStdString(entry.reason)));
        return;
    }
    loader_->requestImage(row, entry.path);
}

void StudyBrowser::requestVisibleThumbnails() {
    // The rows on screen jump the queue (again, if they were asked in list order and are still waiting).
    const QModelIndex top = list_->indexAt(list_->viewport()->rect().topLeft());
    const QModelIndex bottom = list_->indexAt(list_->viewport()->rect().bottomLeft());
    if (!top.isValid()) return;
    const int last = bottom.isValid() ? bottom.row() : list_->count() - 1;
    std::vector<std::pair<int, std::filesystem::path>> visible;
    for (int row = top.row(); row <= last; ++row)
        if (list_->item(row)->icon().isNull() && selectable(static_cast<std::size_t>(row)))
            visible.emplace_back(row, entries_[static_cast<std::size_t>(row)].path);
    if (!visible.empty()) loader_->requestThumbnails(visible);
}

void StudyBrowser::markFailed(int row, const QString& reason) {
    if (row < 0 || row >= static_cast<int>(entries_.size())) return;
    ScanEntry& entry = entries_[static_cast<std::size_t>(row)];
    const bool newly = entry.outcome != ScanOutcome::Failed;
    entry.outcome = ScanOutcome::Failed;
    entry.reason = reason.toStdString();
    QListWidgetItem* item = list_->item(row);
    const QString name = QString::fromStdString(entry.path.filename().string());
    item->setIcon(QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning));
    item->setText(tr("%1 — cannot read: %2").arg(name, reason));
    item->setToolTip(reason);
    if (newly) emit failedCountChanged(failedCount());
}

}  // namespace dpflow::ui
