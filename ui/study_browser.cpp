#include "study_browser.h"

#include "qimage_conversion.h"

#include <QApplication>
#include <QPixmap>
#include <QListWidget>
#include <QStyle>
#include <QVBoxLayout>

#include <algorithm>

namespace dpflow::ui {

StudyBrowser::StudyBrowser(QWidget* parent) : QWidget(parent) {
    list_ = new QListWidget(this);
    list_->setIconSize(QSize(48, 48));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(list_);
    connect(list_, &QListWidget::currentRowChanged, this, &StudyBrowser::onRowChanged);
}

void StudyBrowser::setEntries(std::vector<ScanEntry> entries) {
    entries.erase(std::remove_if(entries.begin(), entries.end(),
                                 [](const ScanEntry& e) { return e.outcome == ScanOutcome::Skipped; }),
                  entries.end());
    entries_ = std::move(entries);
    const QSignalBlocker blocker(list_);
    list_->clear();
    const QIcon warning = QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
    for (const ScanEntry& entry : entries_) {
        const QString name = QString::fromStdString(entry.path.filename().string());
        auto* item = new QListWidgetItem(name, list_);
        if (entry.outcome == ScanOutcome::Failed) {
            item->setIcon(warning);
            item->setText(tr("%1 — cannot read: %2").arg(name, QString::fromStdString(entry.reason)));
            item->setToolTip(QString::fromStdString(entry.reason));
        } else {
            item->setToolTip(QString::fromStdString(entry.path.string()));
            if (entry.image)
                item->setIcon(QPixmap::fromImage(toQImage(*entry.image).scaled(48, 48, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
        }
    }
}

int StudyBrowser::rowCount() const { return list_->count(); }

int StudyBrowser::failedCount() const {
    return static_cast<int>(std::count_if(entries_.begin(), entries_.end(),
                                          [](const ScanEntry& e) { return e.outcome == ScanOutcome::Failed; }));
}

void StudyBrowser::selectFirstImage() {
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        if (entries_[i].image) {
            list_->setCurrentRow(static_cast<int>(i));
            return;
        }
    }
}

void StudyBrowser::onRowChanged(int row) {
    if (row < 0 || row >= static_cast<int>(entries_.size())) return;
    if (const auto& image = entries_[static_cast<std::size_t>(row)].image) emit imageSelected(*image);
}

}  // namespace dpflow::ui
