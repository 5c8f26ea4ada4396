#pragma once
// The GUI's handle on an image model: loads models and classifies images on its worker thread;
// a new request supersedes the running one, cancelled between layers.
#include <memory>
#include <vector>

#include "inference/image_model.h"
#include "session/model_session.h"

namespace ascope::ui {

using ImageModelPtr = std::shared_ptr<const ImageModel>;
using ImageAnalysisPtr = std::shared_ptr<const ImageAnalysis>;

class ImageSession : public ModelSession {
    Q_OBJECT
public:
    explicit ImageSession(QObject* parent = nullptr);

    void openModel(const QString& dir);
    void requestAnalysis(const RgbImage& image, const ImageRunOptions& options = {});
    // Head importance for the top class (ModelSession's headImportance signals).
    void requestHeadImportance(const RgbImage& image, const ImageRunOptions& options);
    ImageModelPtr model() const { return m_model; }
    const std::vector<float>& positionEmbeddings() const { return m_positions; }

signals:
    void analysisReady(ascope::ui::ImageAnalysisPtr analysis);

private:
    ImageModelPtr m_model;
    std::vector<float> m_positions;
};

}  // namespace ascope::ui

Q_DECLARE_METATYPE(ascope::ui::ImageAnalysisPtr)
