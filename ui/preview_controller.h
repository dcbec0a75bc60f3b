#pragma once

#include "flow/flow_model.h"
#include "preview/preview_request.h"
#include "preview/preview_result.h"
#include "privacy/privatizer.h"

#include <QObject>
#include <QString>

#include <cstdint>
#include <memory>

namespace dpflow::ui {

/// The studio's bridge to the preview engine: owns the model, the secure random source, the
/// PreviewSession and its PreviewWorker, and turns the worker's callbacks (on its thread) into
/// signals on the UI thread. Nothing here blocks: every call queues work.
class PreviewController : public QObject {
    Q_OBJECT

public:
    /// Loads the flow at `model_path` ("" device: CUDA when available). Throws what
    /// FlowModel::load throws (a message naming the file), so the window can say why.
    explicit PreviewController(const QString& model_path, QObject* parent = nullptr);
    ~PreviewController() override;

    const FlowModel& model() const;
    QString modelName() const;
    QString device() const;

    /// Queues loading `image`; returns the load's number, which imageLoaded carries back.
    quint64 loadImage(const Image& image, const AttributeValues& truth);
    void setTrueAttributes(const AttributeValues& truth);
    void newNoiseDraw();
    void submit(const PreviewRequest& request);
    /// A release with fresh secure noise; exportFinished carries `tag` back.
    void exportRelease(const PreviewRequest& request, quint64 tag);

signals:
    /// `load` is loadImage's number: an image loaded before the latest one also reports here.
    void imageLoaded(const dpflow::Image& model_image, double encode_ms, quint64 load);
    void previewReady(const dpflow::PreviewResult& result);
    void exportFinished(const dpflow::PrivatizedImage& release, quint64 tag);
    /// `what` is "load", "preview" or "export".
    void failed(const QString& what, const QString& message);

private:
    PreviewRequest withModelFiles(PreviewRequest request) const;

    struct Engine;
    std::unique_ptr<Engine> engine_;
};

}  // namespace dpflow::ui
