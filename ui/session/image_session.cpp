#include "session/image_session.h"

#include <QMetaObject>
#include <QCoreApplication>
#include <QPointer>

namespace ascope::ui {

ImageSession::ImageSession(QObject* parent) : QObject(parent), m_latest(std::make_shared<std::atomic<quint64>>(0)) {
    qRegisterMetaType<ImageAnalysisPtr>();
    m_pool.setMaxThreadCount(1);
}

ImageSession::~ImageSession() {
    m_latest->store(~quint64(0));
    m_pool.waitForDone();
}

void ImageSession::setPending(int delta) {
    const bool before = m_pending > 0;
    m_pending += delta;
    if (before != (m_pending > 0)) emit busyChanged(m_pending > 0);
}

void ImageSession::openModel(const QString& dir) {
    setPending(+1);
    QPointer<ImageSession> self(this);
    m_pool.start([self, dir] {
        auto model = ImageModel::load(dir.toStdString());
        std::shared_ptr<const ImageModel> shared;
        std::vector<float> positions;
        QString error;
        if (model) {
            shared = std::move(*model);
            positions = shared->positionEmbeddings();
        } else {
            error = QString::fromStdString(model.error());
        }
        QMetaObject::invokeMethod(QCoreApplication::instance(), [self, dir, shared, positions, error] {
            if (!self) return;
            self->setPending(-1);
            if (!shared) {
                emit self->modelFailed(error);  // the previous model stays
                return;
            }
            self->m_model = shared;
            self->m_positions = positions;
            emit self->modelLoaded(dir);
        });
    });
}

void ImageSession::requestAnalysis(const RgbImage& image) {
    if (!m_model) return;
    const quint64 id = ++m_nextId;
    m_latest->store(id);
    setPending(+1);
    QPointer<ImageSession> self(this);
    auto model = m_model;
    auto latest = m_latest;
    m_pool.start([self, model, image, id, latest] {
        ImageRunOptions options;
        options.topK = 5;
        options.onLayer = [&](int, int) { return latest->load() == id; };
        auto result = id == latest->load() ? model->analyse(image, options) : Expected<ImageAnalysis>(makeError("cancelled"));
        ImageAnalysisPtr analysis;
        QString error;
        if (result) analysis = std::make_shared<const ImageAnalysis>(std::move(*result));
        else error = QString::fromStdString(result.error());
        QMetaObject::invokeMethod(QCoreApplication::instance(), [self, analysis, error, id, latest] {
            if (!self) return;
            self->setPending(-1);
            if (id != latest->load()) return;
            if (analysis) emit self->analysisReady(analysis);
            else emit self->analysisFailed(error);
        });
    });
}

}  // namespace ascope::ui
