#include "session/image_session.h"

namespace ascope::ui {

ImageSession::ImageSession(QObject* parent) : ModelSession(QStringLiteral("image-inference"), parent) {
    qRegisterMetaType<ImageAnalysisPtr>();
}

void ImageSession::openModel(const QString& dir) {
    loadModel<ImageModel>(dir, [this](ImageModelPtr model) {
        m_positions = model->positionEmbeddings();
        m_model = std::move(model);
    });
}

void ImageSession::requestAnalysis(const RgbImage& image) {
    if (!m_model) return;
    runAnalysis<ImageAnalysis>(
        [model = m_model, image](std::function<bool(int, int)> onLayer) {
            ImageRunOptions options;
            options.topK = 5;
            options.onLayer = std::move(onLayer);
            return model->analyse(image, options);
        },
        [this](ImageAnalysisPtr analysis) { emit analysisReady(std::move(analysis)); });
}

}  // namespace ascope::ui
