#include "main_window.h"

#include "image_pane.h"
#include "plot_panel.h"
#include "preview_controller.h"
#include "privacy_panel.h"
#include "study_browser.h"
#include "study_listing.h"

#include "eval/studio_curve.h"
#include "eval/sweep_results.h"
#include "image/folder_scan.h"
#include "image/image_description.h"
#include "image/image_reader.h"
#include "image/manifest.h"
#include "image/sha256.h"
#include "preview/model_location.h"
#include "privacy/latent_allocation.h"
#include "preview/true_attributes.h"

#include <QAction>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMimeData>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QToolBar>

#include <algorithm>
#include <filesystem>

namespace dpflow::ui {
namespace {

constexpr int kMaxRecent = 8;

QString modelPathFor(const StudioOptions& options) {
    if (!options.model_path.isEmpty()) return options.model_path;
    return QString::fromStdString(locateShippedModel(currentExecutable(), kDefaultStudioModel).string());
}

// Whether the sweep at `csv` was measured on exactly the weights at `model_path`. Throws what
// readSweepResults throws.
bool sweepDescribesModel(const std::filesystem::path& csv, const QString& model_path) {
    return readSweepResults(csv).hashes.model_sha256 == sha256OfFile(model_path.toStdString());
}

// What the privatized pane says when export would not release this draw as shown.
QString safeguardBadge(const std::optional<SafeguardVerdict>& verdict) {
    if (!verdict || verdict->passes()) return {};
    const QString distance = QObject::tr("nearest reference %1 < tau %2").arg(verdict->nearest_distance, 0, 'f', 3).arg(verdict->tau, 0, 'f', 3);
    return verdict->policy == SafeguardPolicy::Resample ? QObject::tr("Safeguard: %1, redrawn on export").arg(distance)
                                                        : QObject::tr("Safeguard: %1, withheld on export").arg(distance);
}

}  // namespace

MainWindow::MainWindow(const StudioOptions& options, QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("DP-Flow Studio"));
    setObjectName("studio-window");
    setAcceptDrops(true);
    resize(1500, 950);

    original_pane_ = new ImagePane(tr("Original (as the model sees it)"), this);
    privatized_pane_ = new ImagePane(tr("Privatized preview"), this);
    difference_pane_ = new ImagePane(tr("Signed difference (privatized - original)"), this);
    difference_pane_->setVisible(false);
    auto* panes = new QSplitter(Qt::Horizontal, this);
    for (ImagePane* pane : {original_pane_, privatized_pane_, difference_pane_}) {
        panes->addWidget(pane);
        connect(pane, &ImagePane::viewChanged, this, [this, pane] { linkViews(pane); });
        connect(pane, &ImagePane::pixelHovered, this, [this, pane](int x, int y, float value) {
            cursor_label_->setText(tr("%1: x %2  y %3  value %4")
                                       .arg(pane == original_pane_ ? tr("original") : pane == privatized_pane_ ? tr("privatized") : tr("difference"))
                                       .arg(x).arg(y).arg(value, 0, 'f', 4));
        });
    }
    setCentralWidget(panes);

    lister_ = new StudyLister(this);
    connect(lister_, &StudyLister::listed, this, [this](const std::shared_ptr<const StudyListing>& listing) { showStudy(*listing); });
    browser_ = new StudyBrowser(this);
    auto* study_dock = new QDockWidget(tr("Study"), this);
    study_dock->setObjectName("study-dock");
    study_dock->setWidget(browser_);
    addDockWidget(Qt::LeftDockWidgetArea, study_dock);
    connect(browser_, &StudyBrowser::imageSelected, this, &MainWindow::showImage);
    connect(browser_, &StudyBrowser::imageFailed, this, [this](const QString& message) {
        // The chosen film cannot be shown: the panes must not keep the previous one under its name.
        for (ImagePane* pane : {original_pane_, privatized_pane_, difference_pane_}) pane->clear();
        source_image_ = Image{};
        model_image_ = Image{};
        image_ready_ = false;
        last_preview_.reset();
        status_label_->setText(tr("Cannot show %1").arg(message));
    });
    connect(browser_, &StudyBrowser::failedCountChanged, this, [this] {
        if (!source_image_.empty()) showImageStatus();
    });

    panel_ = new PrivacyPanel(this);
    auto* privacy_dock = new QDockWidget(tr("Privacy"), this);
    privacy_dock->setObjectName("privacy-dock");
    privacy_dock->setWidget(panel_);
    addDockWidget(Qt::RightDockWidgetArea, privacy_dock);

    plot_ = new PlotPanel(this);
    auto* plot_dock = new QDockWidget(tr("Utility and re-identification against eps"), this);
    plot_dock->setObjectName("plot-dock");
    plot_dock->setWidget(plot_);
    addDockWidget(Qt::BottomDockWidgetArea, plot_dock);

    QMenu* file_menu = menuBar()->addMenu(tr("&File"));
    file_menu->addAction(tr("&Open images..."), QKeySequence::Open, this, &MainWindow::chooseAndOpenFiles);
    file_menu->addAction(tr("Open &folder..."), this, &MainWindow::chooseAndOpenFolder);
    recent_menu_ = file_menu->addMenu(tr("Open &recent"));
    file_menu->addAction(tr("&Export privatized image..."), QKeySequence::Save, this, &MainWindow::chooseAndExport);
    file_menu->addAction(tr("Load sweep &results..."), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Sweep results"), {}, tr("Sweep results (*.csv)"));
        if (!path.isEmpty()) loadSweepResults(path);
    });
    file_menu->addSeparator();
    file_menu->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QToolBar* view_bar = addToolBar(tr("View"));
    view_bar->setObjectName("view-toolbar");
    link_action_ = view_bar->addAction(tr("Link views"));
    link_action_->setCheckable(true);
    link_action_->setChecked(true);
    link_action_->setToolTip(tr("Zoom, pan and window/level move together in every pane"));
    full_resolution_action_ = view_bar->addAction(tr("Full-resolution original"), this, [this](bool on) { setFullResolutionOriginal(on); });
    full_resolution_action_->setCheckable(true);
    difference_action_ = view_bar->addAction(tr("Difference"), this, [this](bool on) { setDifferenceVisible(on); });
    difference_action_->setCheckable(true);
    difference_scale_ = new QDoubleSpinBox(this);
    difference_scale_->setPrefix(tr("x"));
    difference_scale_->setRange(0.5, 50.0);
    difference_scale_->setValue(2.0);
    difference_scale_->setToolTip(tr("Difference gain: mid-grey is no change, brighter means the privatized image is brighter"));
    view_bar->addWidget(difference_scale_);
    connect(difference_scale_, &QDoubleSpinBox::valueChanged, this, &MainWindow::updateDifference);
    ground_truth_action_ = view_bar->addAction(tr("Ground truth"), this, [this](bool on) { setGroundTruthVisible(on); });
    ground_truth_action_->setCheckable(true);
    ground_truth_action_->setToolTip(tr("Phantom ground truth: pathology mask, side marker and text box (when the manifest has them)"));
    view_bar->addSeparator();
    view_bar->addAction(tr("Export..."), this, &MainWindow::chooseAndExport);
    view_bar->addSeparator();
    model_chooser_ = new QComboBox(this);
    model_chooser_->setObjectName("model-chooser");
    model_chooser_->setToolTip(tr("Flow model: the phantom model for phantom studies, the real-film model for real films"));
    for (const auto& model : listShippedFlowModels(currentExecutable())) {
        const QString path = QString::fromStdString(model.path.string());
        model_chooser_->addItem(QFileInfo(path).completeBaseName(), QFileInfo(path).canonicalFilePath());
        model_chooser_->setItemData(model_chooser_->count() - 1, QString::fromStdString(model.summary), Qt::ToolTipRole);
    }
    view_bar->addWidget(model_chooser_);
    connect(model_chooser_, &QComboBox::activated, this, [this](int index) { chooseModel(model_chooser_->itemData(index).toString()); });

    status_label_ = new QLabel(this);
    cursor_label_ = new QLabel(this);
    engine_label_ = new QLabel(this);
    statusBar()->addWidget(status_label_, 1);
    statusBar()->addPermanentWidget(cursor_label_);
    statusBar()->addPermanentWidget(engine_label_);
    status_label_->setText(tr("No image open"));

    model_chosen_by_user_ = !options.model_path.isEmpty();
    try {
        useModel(modelPathFor(options));
    } catch (const std::exception& error) {
        panel_->setEnabled(false);
        engine_label_->setText(tr("no model"));
        status_label_->setText(tr("No flow model: %1. Images can be viewed; privatization needs a model (--model).")
                                   .arg(QString::fromStdString(error.what())));
    }
    connect(panel_, &PrivacyPanel::requestChanged, this, &MainWindow::submitPreview);
    connect(panel_, &PrivacyPanel::epsilonChanged, plot_, &PlotPanel::setEpsilon);
    connect(plot_, &PlotPanel::computeRequested, this, &MainWindow::computeCurve);
    connect(plot_, &PlotPanel::curveComputed, this, [](const QString& csv) { QSettings().setValue("plot/results", csv); });
    connect(panel_, &PrivacyPanel::requestChanged, this, &MainWindow::showMechanismInPlot);
    connect(panel_, &PrivacyPanel::trueAttributesChanged, this, [this] {
        if (!controller_ || source_image_.empty()) return;
        showUnknownAttributes();
        controller_->setTrueAttributes(encodingAttributes());
        submitPreview();
    });
    connect(panel_, &PrivacyPanel::newNoiseDrawRequested, this, [this] {
        if (!controller_ || source_image_.empty()) return;
        controller_->newNoiseDraw();
        submitPreview();
    });
    restoreSettings();
}

MainWindow::~MainWindow() = default;

void MainWindow::useModel(const QString& path) {
    if (!pending_exports_.empty())
        throw std::runtime_error("an export is still being written; change the model when it has finished");
    auto controller = std::make_unique<PreviewController>(path);  // throws with the file's name: the old model stays
    // The user's treatments carry over by attribute name: a protected attribute must never become kept
    // because another model was loaded.
    const AttributePolicy previous = controller_ ? panel_->request().settings.attributes : AttributePolicy{};
    controller_ = std::move(controller);
    model_path_ = path;
    const auto& attributes = controller_->model().card().config.attributes;
    panel_->setModelAttributes(attributes);
    QStringList defaulted;
    for (const auto& attribute : attributes) {
        const auto before = std::find_if(previous.begin(), previous.end(), [&](const AttributeTreatment& t) { return t.name == attribute.name; });
        if (before != previous.end()) panel_->setAttributeTreatment(before->name, before->protect, before->epsilon);
        else if (!previous.empty()) defaulted << QString::fromStdString(attribute.name);
    }
    if (!defaulted.isEmpty())
        status_label_->setText(tr("Model %1: %2 start as kept (the previous model had no such attribute); check before export")
                                   .arg(QFileInfo(path).completeBaseName(), defaulted.join(", ")));
    panel_->setEnabled(true);
    panel_->setDevice(controller_->device(), controller_->modelName());
    engine_label_->setText(tr("%1 on %2").arg(controller_->modelName(), controller_->device().toUpper()));
    connect(controller_.get(), &PreviewController::imageLoaded, this, &MainWindow::onModelImage);
    connect(controller_.get(), &PreviewController::previewReady, this, &MainWindow::onPreview);
    connect(controller_.get(), &PreviewController::exportFinished, this, &MainWindow::onExported);
    connect(controller_.get(), &PreviewController::failed, this, [this](const QString& what, const QString& message) {
        if (what == "export") {
            status_label_->setText(tr("Export failed: %1").arg(message));
            emit exportFailed(message);
            return;
        }
        // The status bar keeps describing the image; the panel says why there is no preview.
        panel_->showError(tr("%1 failed: %2").arg(what, message));
        emit previewFailed(message);
    });
    const int index = model_chooser_->findData(QFileInfo(path).canonicalFilePath());
    {
        const QSignalBlocker block(model_chooser_);
        model_chooser_->setCurrentIndex(index);
    }
    showShippedSweep(path);
    if (!source_image_.empty()) showImage(source_image_);  // re-encoded under the new model; the panes keep their window
}

void MainWindow::showShippedSweep(const QString& model_path) {
    // Curves measured on the previous model do not describe this one.
    plot_->clearResults();
    plot_->showNote(QString());
    const std::filesystem::path sweep = shippedSweepFor(model_path.toStdString());
    if (!std::filesystem::is_regular_file(sweep)) return;
    try {
        // Only figures measured on exactly these weights describe them.
        if (!sweepDescribesModel(sweep, model_path)) {
            plot_->showNote(tr("The sweep shipped beside %1 was measured on other weights; it is not shown.").arg(QFileInfo(model_path).fileName()));
            return;
        }
    } catch (const std::exception& error) {
        plot_->showNote(tr("Cannot read the shipped sweep %1: %2").arg(QString::fromStdString(sweep.string()), QString::fromStdString(error.what())));
        return;
    }
    plot_->loadResults(QString::fromStdString(sweep.string()));
    showMechanismInPlot();  // the open allocation is the new model's
}

void MainWindow::useStudioModelFor(bool phantom_study) {
    QString path;
    try {
        path = QString::fromStdString(locateShippedModel(currentExecutable(), studioModelFor(phantom_study)).string());
    } catch (const std::exception&) {
        return;  // not shipped with this build: the current model stays
    }
    if (QFileInfo(path).canonicalFilePath() == QFileInfo(model_path_).canonicalFilePath()) return;
    try {
        useModel(path);
    } catch (const std::exception& error) {
        status_label_->setText(tr("Cannot use the model %1: %2").arg(path, QString::fromStdString(error.what())));
    }
}

void MainWindow::chooseModel(const QString& path) {
    if (path.isEmpty() || QFileInfo(path).canonicalFilePath() == QFileInfo(model_path_).canonicalFilePath()) return;
    try {
        useModel(path);
        model_chosen_by_user_ = true;
    } catch (const std::exception& error) {
        status_label_->setText(tr("Cannot use the model %1: %2").arg(path, QString::fromStdString(error.what())));
        const QSignalBlocker block(model_chooser_);
        model_chooser_->setCurrentIndex(model_chooser_->findData(QFileInfo(model_path_).canonicalFilePath()));
    }
}

void MainWindow::openPaths(const QStringList& paths) {
    // Listed on a worker (a cold or network disk can take seconds for a large study), then shown
    // by showStudy; the browser decodes the selected image and the thumbnails off the UI thread
    // too, so a study of any size opens at once.
    status_label_->setText(tr("Listing %1...").arg(paths.join(", ")));
    lister_->list(paths);
}

void MainWindow::showMechanismInPlot() {
    const MechanismSettings& mechanism = panel_->request().settings.mechanism;
    plot_->setMechanism(QString::fromStdString(mechanismName(mechanism.mechanism)),
                        mechanism.mechanism == PrivacyMechanism::Allocated ? openAllocationSha256(mechanism.allocation) : QString());
}

QString MainWindow::openAllocationSha256(const std::string& allocation) {
    const QString path = allocation.empty()
                             ? QString::fromStdString(allocationPathBeside(model_path_.toStdString()).string())
                             : QString::fromStdString(allocation);
    const QFileInfo file(path);
    const QString key = file.absoluteFilePath() + '@' + QString::number(file.lastModified().toMSecsSinceEpoch());
    if (key != allocation_hashed_) {
        allocation_hashed_ = key;
        try {
            allocation_sha256_ = file.exists() ? QString::fromStdString(sha256OfFile(path.toStdString())) : QString();
        } catch (const std::exception&) {
            allocation_sha256_.clear();
        }
    }
    return allocation_sha256_;
}

void MainWindow::showStudy(const StudyListing& listing) {
    manifest_rows_ = listing.manifest_rows;
    study_manifest_ = listing.manifest;
    browser_->setEntries(listing.entries);
    if (listing.readable == 0) {
        for (ImagePane* pane : {original_pane_, privatized_pane_, difference_pane_}) pane->clear();
        source_image_ = Image{};
        status_label_->setText(listing.failed == 0 ? tr("Cannot open: no DICOM or PNG image found")
                                                   : tr("Cannot open: %1 file(s) unreadable; first: %2")
                                                         .arg(listing.failed)
                                                         .arg(QString::fromStdString(listing.first_failure)));
        emit studyOpened(false);
        return;
    }
    // The first image is decoded off the UI thread and shown when it is ready (imageShown).
    for (ImagePane* pane : {original_pane_, privatized_pane_, difference_pane_}) pane->clear();
    source_image_ = Image{};
    model_image_ = Image{};
    image_ready_ = false;
    last_preview_.reset();
    addRecent(listing.paths);
    if (!model_chosen_by_user_) useStudioModelFor(listing.phantom_study);
    status_label_->setText(tr("Opening %1 image file(s)...").arg(listing.readable) +
                           (listing.failed > 0 ? tr("  (%1 file(s) could not be read: see the study list)").arg(listing.failed)
                                               : QString()) +
                           (listing.manifest_warning.empty()
                                ? QString()
                                : tr("  Ignoring the unreadable manifest: %1").arg(QString::fromStdString(listing.manifest_warning))));
    emit studyOpened(true);
    browser_->selectFirstImage();
}

void MainWindow::showImage(const Image& image) {
    source_image_ = image;
    model_image_ = Image{};
    image_ready_ = false;
    last_preview_.reset();
    privatized_pane_->clear();
    difference_pane_->clear();
    const QString name = QFileInfo(QString::fromStdString(image.source_path.string())).fileName();
    showImageStatus();
    setWindowTitle(tr("DP-Flow Studio — %1").arg(name));

    updateOriginalPane();
    if (controller_) {
        const auto row = manifest_rows_.find(image.source_path.lexically_normal().string());
        panel_->setTrueAttributes(resolveTrueAttributes(controller_->model().card(),
                                                        row != manifest_rows_.end() ? row->second.first : ManifestRow{},
                                                        image.source_path));
        showUnknownAttributes();
        awaited_load_ = controller_->loadImage(image, encodingAttributes());
        submitPreview();
    }
    emit imageShown();
}

void MainWindow::showImageStatus() {
    const QString name = QFileInfo(QString::fromStdString(source_image_.source_path.string())).fileName();
    QString text = tr("%1 — %2").arg(name, QString::fromStdString(describeImage(source_image_)));
    if (const int failed = browser_->failedCount(); failed > 0)
        text += tr("  (%1 file(s) could not be read: see the study list)").arg(failed);
    status_label_->setText(text);
}

AttributeValues MainWindow::encodingAttributes() const {
    AttributeValues values = panel_->trueAttributes();
    for (const auto& name : panel_->unknownTrueAttributes()) values[name] = controller_->model().card().mostFrequentValue(name);
    return values;
}

void MainWindow::showUnknownAttributes() {
    QStringList assumed;
    for (const auto& name : panel_->unknownTrueAttributes())
        assumed << tr("%1 unknown: preview assumes %2 (most frequent in training)")
                       .arg(QString::fromStdString(name), QString::fromStdString(controller_->model().card().mostFrequentValue(name)));
    original_pane_->setBadge(assumed.join("; "));
}

void MainWindow::updateOriginalPane() {
    const bool full = full_resolution_action_->isChecked() || model_image_.empty();
    const Image& shown = full ? source_image_ : model_image_;
    if (shown.empty()) return;
    original_pane_->setImage(shown);
    const auto overlayFor = [this](int pane_width) {
        const auto row = manifest_rows_.find(source_image_.source_path.lexically_normal().string());
        return row == manifest_rows_.end() ? PaneOverlay{}
                                           : phantomOverlay(row->second.first, row->second.second, source_image_.width, pane_width);
    };
    original_pane_->setOverlay(overlayFor(shown.width));
    if (!model_image_.empty()) privatized_pane_->setOverlay(overlayFor(model_image_.width));
}

void MainWindow::onModelImage(const Image& model_image, double encode_ms, quint64 load) {
    // An image shown before the current one (the user clicked on quickly) is not this one.
    if (source_image_.empty() || load != awaited_load_) return;
    model_image_ = model_image;
    model_image_.source_path = source_image_.source_path;
    image_ready_ = true;
    updateOriginalPane();
    engine_label_->setText(tr("%1 on %2  encode %3 ms").arg(controller_->modelName(), controller_->device().toUpper()).arg(encode_ms, 0, 'f', 0));
}

void MainWindow::submitPreview() {
    if (controller_ && !source_image_.empty()) controller_->submit(panel_->request());
}

void MainWindow::onPreview(const PreviewResult& result) {
    // Until the engine reports the new image loaded, a result belongs to the previous one.
    if (source_image_.empty() || !image_ready_) return;
    last_preview_ = result;
    privatized_pane_->setImage(result.image);
    privatized_pane_->setBadge(safeguardBadge(result.safeguard));
    panel_->showResult(result);
    engine_label_->setText(tr("%1 on %2  decode %3 ms").arg(controller_->modelName(), controller_->device().toUpper()).arg(result.decode_ms, 0, 'f', 0));
    updateDifference();
    emit previewShown();
}

void MainWindow::updateDifference() {
    if (!difference_action_->isChecked() || !last_preview_ || model_image_.empty()) return;
    const Image& privatized = last_preview_->image;
    Image difference = makeImage(privatized.width, privatized.height);
    const float gain = static_cast<float>(difference_scale_->value());
    for (std::size_t i = 0; i < difference.pixels.size(); ++i)
        difference.pixels[i] = std::clamp(0.5f + 0.5f * gain * (privatized.pixels[i] - model_image_.pixels[i]), 0.0f, 1.0f);
    difference_pane_->setImage(difference);
}

void MainWindow::setDifferenceVisible(bool visible) {
    difference_action_->setChecked(visible);
    difference_pane_->setVisible(visible);
    updateDifference();
}

void MainWindow::setFullResolutionOriginal(bool full) {
    full_resolution_action_->setChecked(full);
    updateOriginalPane();
}

void MainWindow::setGroundTruthVisible(bool visible) {
    ground_truth_action_->setChecked(visible);
    original_pane_->setOverlayVisible(visible);
    privatized_pane_->setOverlayVisible(visible);
}

void MainWindow::linkViews(ImagePane* source) {
    if (!link_action_->isChecked()) return;
    for (ImagePane* pane : {original_pane_, privatized_pane_, difference_pane_})
        if (pane != source) pane->setViewState(source->viewState());
}

void MainWindow::exportCurrent(const QString& path, StudioExportFormat format) {
    if (!controller_ || source_image_.empty()) {
        emit exportFailed(tr("nothing to export: open an image first"));
        return;
    }
    const bool encodes_attributes = isLatentMechanism(panel_->request().settings.mechanism.mechanism);
    if (const auto unknown = panel_->unknownTrueAttributes(); encodes_attributes && !unknown.empty()) {
        QStringList names;
        for (const auto& name : unknown) names << QString::fromStdString(name);
        const QString message = tr("set the true value of %1 first: neither the manifest nor the DICOM header states it, and "
                                   "the image is encoded under it")
                                    .arg(names.join(", "));
        status_label_->setText(tr("Export refused: %1").arg(message));
        emit exportFailed(message);
        return;
    }
    StudioExportOptions options;
    options.output = path.toStdString();
    options.format = format;
    options.window_low = privatized_pane_->viewState().window.low;
    options.window_high = privatized_pane_->viewState().window.high;
    const quint64 tag = next_export_tag_++;
    pending_exports_[tag] = options;
    status_label_->setText(tr("Exporting with fresh secure noise..."));
    controller_->exportRelease(panel_->request(), tag);
}

void MainWindow::onExported(const PrivatizedImage& release, quint64 tag) {
    const auto found = pending_exports_.find(tag);
    if (found == pending_exports_.end()) return;
    const StudioExportOptions options = found->second;
    pending_exports_.erase(found);
    try {
        const StudioExportResult written = writeStudioExport(release, options);
        const QString image = QString::fromStdString(written.image.string());
        const QString record = QString::fromStdString(written.record.string());
        status_label_->setText(written.image.empty() ? tr("Withheld (%1); record %2").arg(QString::fromStdString(written.withheld_reason), record)
                                                     : tr("Exported %1 with its record %2").arg(image, record));
        if (!written.ledger_warning.empty()) status_label_->setText(status_label_->text() + "  " + QString::fromStdString(written.ledger_warning));
        emit exportWritten(image, record);
    } catch (const std::exception& error) {
        status_label_->setText(tr("Export failed: %1").arg(QString::fromStdString(error.what())));
        emit exportFailed(QString::fromStdString(error.what()));
    }
}

bool MainWindow::loadSweepResults(const QString& csv_path) {
    const bool ok = plot_->loadResults(csv_path);
    if (ok) QSettings().setValue("plot/results", csv_path);
    return ok;
}

void MainWindow::computeCurve() {
    if (!controller_) {
        plot_->showNote(tr("No flow model is loaded, so no curve can be computed."));
        return;
    }
    const PreviewRequest request = panel_->request();
    StudioCurveRequest curve;
    curve.model_path = model_path_.toStdString();
    curve.model_image_size = controller_->model().card().config.image_size;
    curve.study_manifest = study_manifest_;
    curve.mechanism = mechanismName(request.settings.mechanism.mechanism);
    curve.latent_decoding = latentDecodingName(request.settings.mechanism.decoding);
    for (const AttributeTreatment& treatment : request.settings.attributes) {
        if (treatment.protect)
            curve.protect_attributes.push_back(treatment.name + ":" + QString::number(treatment.epsilon, 'g', 17).toStdString());
        else
            curve.keep_attributes.push_back(treatment.name);
    }
    curve.classifier_folders = modelSearchFolders(currentExecutable());
    const ShippedAttackers attackers = shippedAttackersFor(curve.model_path);
    curve.embedding_path = attackers.reidentification;
    curve.linkage_embedding_path = attackers.linkage;
    try {
        const StudioCurvePlan plan = planStudioCurve(curve);
        const QString data = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        const QString results = QDir(data).filePath(QStringLiteral("curves/%1-%2-%3.csv")
                                                        .arg(QFileInfo(model_path_).completeBaseName(),
                                                             QString::fromStdString(curve.mechanism),
                                                             QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss")));
        plot_->startCurve(plan.settings, QString::fromStdString(plan.description), QDir(data).filePath("sweep-cache"), results);
    } catch (const std::exception& error) {
        plot_->showNote(tr("Cannot compute a curve: %1").arg(QString::fromStdString(error.what())));
    }
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

void MainWindow::chooseAndExport() {
    QString filter;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export the privatized image (fresh secure noise)"), QSettings().value("export/folder").toString(),
        tr("PNG at the current window (*.png);;16-bit PNG (*.png);;DICOM, de-identified (*.dcm)"), &filter);
    if (path.isEmpty()) return;
    QSettings().setValue("export/folder", QFileInfo(path).absolutePath());
    const StudioExportFormat format = filter.startsWith("DICOM")    ? StudioExportFormat::Dicom
                                      : filter.startsWith("16-bit") ? StudioExportFormat::Png16
                                                                    : StudioExportFormat::WindowedPng;
    exportCurrent(path, format);
}

void MainWindow::addRecent(const QStringList& paths) {
    for (const QString& path : paths) {
        recent_.removeAll(path);
        recent_.prepend(path);
    }
    while (recent_.size() > kMaxRecent) recent_.removeLast();
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    recent_menu_->clear();
    for (const QString& path : recent_) recent_menu_->addAction(path, this, [this, path] { openPaths({path}); });
    recent_menu_->setEnabled(!recent_.isEmpty());
}

void MainWindow::restoreSettings() {
    QSettings settings;
    recent_ = settings.value("studio/recent").toStringList();
    rebuildRecentMenu();
    restoreGeometry(settings.value("studio/geometry").toByteArray());
    restoreState(settings.value("studio/state").toByteArray());
    link_action_->setChecked(settings.value("view/link", true).toBool());
    difference_scale_->setValue(settings.value("view/difference-scale", 2.0).toDouble());
    setDifferenceVisible(settings.value("view/difference", false).toBool());
    setGroundTruthVisible(settings.value("view/ground-truth", false).toBool());
    panel_->setMechanism(parseMechanism(settings.value("privacy/mechanism", "dpglow").toString().toStdString()));
    panel_->setEpsilon(settings.value("privacy/epsilon", 1e5).toDouble());
    // The last results the user looked at come back only when they describe the open model;
    // otherwise the model's shipped sweep (useModel) stays.
    const QString results = settings.value("plot/results").toString();
    bool describes_model = false;
    try {
        describes_model = controller_ && !results.isEmpty() && QFileInfo::exists(results) &&
                          sweepDescribesModel(results.toStdString(), model_path_);
    } catch (const std::exception&) {
    }
    if (describes_model) plot_->loadResults(results);
}

void MainWindow::saveSettings() const {
    QSettings settings;
    settings.setValue("studio/recent", recent_);
    settings.setValue("studio/geometry", saveGeometry());
    settings.setValue("studio/state", saveState());
    settings.setValue("view/link", link_action_->isChecked());
    settings.setValue("view/difference-scale", difference_scale_->value());
    settings.setValue("view/difference", difference_action_->isChecked());
    settings.setValue("view/ground-truth", ground_truth_action_->isChecked());
    settings.setValue("privacy/mechanism", QString::fromStdString(mechanismName(panel_->request().settings.mechanism.mechanism)));
    settings.setValue("privacy/epsilon", panel_->epsilon());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    saveSettings();
    QMainWindow::closeEvent(event);
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
