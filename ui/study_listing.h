#pragma once

#include "image/folder_scan.h"
#include "phantom_overlay.h"

#include <QObject>
#include <QStringList>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace dpflow::ui {

/// What opening a set of files and folders finds, before any pixel is decoded: the image files
/// (by content), and for a study with a manifest its rows (each image's attribute values and
/// ground truth) and whether it is a `dpflow phantom` study (which picks the model).
struct StudyListing {
    QStringList paths;  ///< what was opened
    std::vector<ScanEntry> entries;
    std::map<std::string, std::pair<ManifestRow, std::filesystem::path>> manifest_rows;  ///< by image path: row and manifest folder
    std::filesystem::path manifest;  ///< the study's manifest.csv (or the .csv opened), if any
    bool phantom_study = false;
    std::string manifest_warning;  ///< an unreadable manifest that was ignored, and why
    std::size_t readable = 0;      ///< image files found (a damaged one fails only when decoded)
    std::size_t failed = 0;        ///< files known unreadable already (missing, unlistable)
    std::string first_failure;     ///< the first of them, described
};

/// Thrown out of listStudy when `superseded` says the listing is no longer wanted.
struct ListingSuperseded {};

/// Lists `paths` as the studio opens them: a folder with a manifest.csv, or a .csv given itself,
/// lists its rows; anything else is listed by content (listImages). Reads only headers' first
/// bytes and the manifests. `superseded` is asked between files; when it returns true the
/// listing stops with ListingSuperseded (a newer open, or the window closing).
StudyListing listStudy(const QStringList& paths, const std::function<bool()>& superseded = {});

/// Lists studies on a worker thread, so opening a folder on a slow or cold disk never blocks
/// the UI thread. The newest request wins: an earlier listing still running is stopped between
/// two files and never delivered.
class StudyLister : public QObject {
    Q_OBJECT

public:
    explicit StudyLister(QObject* parent = nullptr);
    ~StudyLister() override;

    /// Starts listing `paths`, superseding any listing still under way.
    void list(const QStringList& paths);
    /// Whether a listing is under way.
    bool busy() const;

signals:
    /// On the UI thread, for the newest request only.
    void listed(std::shared_ptr<const dpflow::ui::StudyListing> listing);

private:
    struct Worker;
    std::unique_ptr<Worker> worker_;
};

}  // namespace dpflow::ui
