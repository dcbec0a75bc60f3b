#pragma once

#include "image/image.h"
#include "phantom_overlay.h"
#include "preview/preview_result.h"
#include "release/studio_export.h"

#include <QMainWindow>
#include <QString>
#include <QStringList>

#include <map>
#include <memory>
#include <optional>

class QAction;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QMenu;

namespace dpflow::ui {

class ImagePane;
class PlotPanel;
class PreviewController;
class PrivacyPanel;
class StudyBrowser;
class StudyLister;
struct StudyListing;

/// What the studio starts with.
struct StudioOptions {
    QString model_path;  ///< flow weights; empty: the shipped default (locateShippedModel)
};

/// The studio: study browser (left), original / privatized / signed-difference panes (centre,
/// zoom, pan and window linked on request), privacy panel (right), trade-off plot (bottom).
/// The engine runs on a PreviewWorker: the window only queues requests and shows results.
/// Unreadable files are reported in the browser and the status bar, never in a modal storm.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(const StudioOptions& options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Opens files and folders (DICOM and PNG by content; folders recursively; a folder with a
    /// manifest.csv, or a .csv given itself, lists its rows, whose columns give true attribute
    /// values and ground truth). Without --model or a chooser choice, what is opened picks the
    /// model (studioModelFor). The study is listed on a worker thread (the newest open wins);
    /// studyOpened follows, then the first readable image is decoded and shown (imageShown).
    void openPaths(const QStringList& paths);

    /// Exports the current image with fresh secure noise (never the preview's draw) as `format`
    /// to `path`, with its JSON record beside it; exportWritten or exportFailed follows.
    void exportCurrent(const QString& path, StudioExportFormat format);

    /// Loads `dpflow sweep` results into the plot panel. Returns false when unreadable.
    bool loadSweepResults(const QString& csv_path);
    /// Plans the trade-off curve for the open model, study and privacy settings (planStudioCurve)
    /// and starts it in the plot panel; the panel's note says why when it cannot be planned.
    /// Results go to <app data>/curves/, the sweep cache to <app data>/sweep-cache/.
    void computeCurve();

    QString statusMessage() const;
    /// The image as read (full resolution).
    const Image& sourceImage() const { return source_image_; }
    ImagePane* originalPane() const { return original_pane_; }
    ImagePane* privatizedPane() const { return privatized_pane_; }
    ImagePane* differencePane() const { return difference_pane_; }
    PrivacyPanel* privacyPanel() const { return panel_; }
    PlotPanel* plotPanel() const { return plot_; }
    StudyBrowser* studyBrowser() const { return browser_; }
    /// The last preview shown, if any.
    const std::optional<PreviewResult>& lastPreview() const { return last_preview_; }
    /// Whether a flow model is loaded (without one only the original is shown).
    bool hasModel() const { return controller_ != nullptr; }
    /// The flow model the panes and the export use now.
    const QString& modelPath() const { return model_path_; }

    void setDifferenceVisible(bool visible);
    void setFullResolutionOriginal(bool full);
    void setGroundTruthVisible(bool visible);

signals:
    /// An openPaths finished listing: `readable` is false when nothing openable was found (the
    /// status line says why).
    void studyOpened(bool readable);
    /// The selected image was decoded and is in the original pane (its preview follows).
    void imageShown();
    /// A preview for the current settings reached the privatized pane.
    void previewShown();
    /// Loading or previewing the current image failed (the reason is shown in the privacy panel).
    void previewFailed(const QString& message);
    void exportWritten(const QString& image_path, const QString& record_path);
    void exportFailed(const QString& message);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    /// The SHA-256 of the allocation a preview with `allocation` (empty: the file beside the open
    /// model) uses, read once per file and modification time; empty when it cannot be read.
    QString openAllocationSha256(const std::string& allocation);
    /// Tells the plot which rows to show: the panel's mechanism and, for allocated, its allocation.
    void showMechanismInPlot();
    /// Puts a listed study in the browser and selects its first image.
    void showStudy(const StudyListing& listing);
    void showImage(const dpflow::Image& image);
    /// The status line for the shown image, with how many files of the study could not be read.
    void showImageStatus();
    void onModelImage(const dpflow::Image& model_image, double encode_ms, quint64 load);
    void onPreview(const dpflow::PreviewResult& result);
    void onExported(const dpflow::PrivatizedImage& release, quint64 tag);
    /// Loads the flow at `path` for every pane and the export (throws, keeping the current one,
    /// when it cannot be loaded); an open image is re-encoded under it.
    void useModel(const QString& path);
    /// Shows the evaluation sweep shipped beside the model (shippedSweepFor) when its figures
    /// were measured on exactly these weights.
    void showShippedSweep(const QString& model_path);
    /// The shipped model for what was opened (studioModelFor), unless the user chose one.
    void useStudioModelFor(bool phantom_study);
    /// useModel from the model chooser: from then on the studio keeps the user's choice.
    void chooseModel(const QString& path);
    void submitPreview();
    /// The values the engine encodes under: the panel's true values, and for each attribute
    /// still unknown the model's most frequent training value (said on the original pane).
    AttributeValues encodingAttributes() const;
    void showUnknownAttributes();
    void updateOriginalPane();
    void updateDifference();
    void linkViews(ImagePane* source);
    void chooseAndOpenFiles();
    void chooseAndOpenFolder();
    void chooseAndExport();
    void addRecent(const QStringList& paths);
    void rebuildRecentMenu();
    void restoreSettings();
    void saveSettings() const;

    std::unique_ptr<PreviewController> controller_;
    ImagePane* original_pane_ = nullptr;
    ImagePane* privatized_pane_ = nullptr;
    ImagePane* difference_pane_ = nullptr;
    StudyLister* lister_ = nullptr;
    StudyBrowser* browser_ = nullptr;
    PrivacyPanel* panel_ = nullptr;
    PlotPanel* plot_ = nullptr;
    QLabel* status_label_ = nullptr;
    QLabel* cursor_label_ = nullptr;
    QLabel* engine_label_ = nullptr;
    QAction* link_action_ = nullptr;
    QAction* difference_action_ = nullptr;
    QAction* full_resolution_action_ = nullptr;
    QAction* ground_truth_action_ = nullptr;
    QDoubleSpinBox* difference_scale_ = nullptr;
    QMenu* recent_menu_ = nullptr;
    QStringList recent_;

    Image source_image_;
    Image model_image_;
    quint64 awaited_load_ = 0;  ///< the controller's number for source_image_'s load
    bool image_ready_ = false;  ///< the engine has loaded source_image_ (previews before that are the previous image's)
    std::optional<PreviewResult> last_preview_;
    QString model_path_;                    ///< the flow the controller loaded
    QString allocation_hashed_;             ///< openAllocationSha256's last file (path and modification time)
    QString allocation_sha256_;             ///< and its SHA-256
    bool model_chosen_by_user_ = false;     ///< --model or the chooser: never switched by what is opened
    QComboBox* model_chooser_ = nullptr;
    std::filesystem::path study_manifest_;  ///< manifest.csv of the open study folder, if any
    std::map<std::string, std::pair<ManifestRow, std::filesystem::path>> manifest_rows_;  ///< by image path: row and manifest folder
    std::map<quint64, StudioExportOptions> pending_exports_;
    quint64 next_export_tag_ = 1;
};

}  // namespace dpflow::ui
