#include "session/image_session.h"

namespace ascope::ui {

ImageSession::ImageSession(QObject* parent) : ModelSession(QStringLiteral("image-inference"), parent) {
    qRegisterMetaType<ImageAnalysisPtr>();
}

void ImageSession::requestHeadImportance(const RgbImage& image, const ImageRunOptions& options) {
    if (!m_model) return;
    runHeadImportance([model = m_model, image, options](const std::function<bool(int, int)>& onProgress) {
        return model->headImportance(image, options, onProgress);
    });
}

void ImageSession::openModel(const QString& dir) {
    cancelHeadImportance();
    loadModel<ImageModel>(dir, [this](ImageModelPtr model) {
        m_positions = model->positionEmbeddings();
        m_model = std::move(model);
    });
}

void ImageSession::requestAnalysis(const RgbImage& image, const ImageRunOptions& options) {
    if (!m_model) return;
    runAnalysis<ImageAnalysis>(
        [model = m_model, image, options](std::function<bool(int, int)> onLayer) {
            ImageRunOptions run = options;
            run.onLayer = std::move(onLayer);
            return model->analyse(image, run);
        },
        [this](ImageAnalysisPtr analysis) { emit analysisReady(std::move(analysis)); });
}

}  // namespace ascope::ui
