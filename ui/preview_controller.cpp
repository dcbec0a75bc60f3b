#include "preview_controller.h"

#include "image/sha256.h"
#include "preview/preview_session.h"
#include "preview/preview_worker.h"
#include "privacy/random_source.h"

#include <QFileInfo>
#include <QMetaObject>

namespace dpflow::ui {

struct PreviewController::Engine {
    explicit Engine(const QString& path)
        : model_path(path.toStdString()),
          model(FlowModel::load(path.toStdString())),
          reference{&model, QFileInfo(path).fileName().toStdString(), sha256OfFile(path.toStdString())},
          session(reference, source) {}

    std::string model_path;
    FlowModel model;
    ModelReference reference;
    SystemRandomSource source;
    PreviewSession session;
    std::unique_ptr<PreviewWorker> worker;  // last: stopped before the session it uses goes away
};

PreviewController::PreviewController(const QString& model_path, QObject* parent)
    : QObject(parent), engine_(std::make_unique<Engine>(model_path)) {
    // The callbacks run on the worker's thread; each hops to this object's thread through a
    // queued call, which Qt drops if this object is gone by then.
    PreviewCallbacks callbacks;
    callbacks.result = [this](PreviewResult result) {
        QMetaObject::invokeMethod(this, [this, result = std::move(result)] { emit previewReady(result); }, Qt::QueuedConnection);
    };
    callbacks.image_loaded = [this](const Image& image, double encode_ms, std::uint64_t load) {
        QMetaObject::invokeMethod(this, [this, image, encode_ms, load] { emit imageLoaded(image, encode_ms, load); },
                                  Qt::QueuedConnection);
    };
    callbacks.exported = [this](PrivatizedImage release, std::uint64_t tag) {
        QMetaObject::invokeMethod(this, [this, release = std::move(release), tag] { emit exportFinished(release, tag); },
                                  Qt::QueuedConnection);
    };
    callbacks.error = [this](std::string what, std::string message) {
        QMetaObject::invokeMethod(this, [this, what = QString::fromStdString(what), message = QString::fromStdString(message)] {
            emit failed(what, message);
        }, Qt::QueuedConnection);
    };
    engine_->worker = std::make_unique<PreviewWorker>(engine_->session, std::move(callbacks));
}

PreviewController::~PreviewController() { engine_->worker.reset(); }

const FlowModel& PreviewController::model() const { return engine_->model; }
QString PreviewController::modelName() const { return QString::fromStdString(engine_->reference.name); }
QString PreviewController::device() const { return QString::fromStdString(engine_->model.device()); }

quint64 PreviewController::loadImage(const Image& image, const AttributeValues& truth) { return engine_->worker->loadImage(image, truth); }
void PreviewController::setTrueAttributes(const AttributeValues& truth) { engine_->worker->setTrueAttributes(truth); }
void PreviewController::newNoiseDraw() { engine_->worker->newNoiseDraw(); }
// The allocated mechanism reads the allocation beside the open model, as the CLI does by default.
PreviewRequest PreviewController::withModelFiles(PreviewRequest request) const {
    useAllocationBesideModelByDefault(request.settings, engine_->model_path);
    return request;
}

void PreviewController::submit(const PreviewRequest& request) { engine_->worker->submit(withModelFiles(request)); }
void PreviewController::exportRelease(const PreviewRequest& request, quint64 tag) {
    engine_->worker->exportRelease(withModelFiles(request), tag);
}

}  // namespace dpflow::ui
