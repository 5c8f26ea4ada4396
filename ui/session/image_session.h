#pragma once
// The GUI's handle on an image model: loads models and classifies images on a one-thread pool
// (so runs are serialised); a new request supersedes the running one, cancelled between layers.
#include <QObject>
#include <QThreadPool>
#include <atomic>
#include <memory>

#include "inference/image_model.h"

namespace ascope::ui {

using ImageModelPtr = std::shared_ptr<const ImageModel>;
using ImageAnalysisPtr = std::shared_ptr<const ImageAnalysis>;

class ImageSession : public QObject {
    Q_OBJECT
public:
    explicit ImageSession(QObject* parent = nullptr);
    ~ImageSession() override;

    void openModel(const QString& dir);
    void requestAnalysis(const RgbImage& image);
    ImageModelPtr model() const { return m_model; }
    const std::vector<float>& positionEmbeddings() const { return m_positions; }

signals:
    void modelLoaded(const QString& dir);
    void modelFailed(const QString& message);
    void analysisReady(ascope::ui::ImageAnalysisPtr analysis);
    void analysisFailed(const QString& message);
    void busyChanged(bool busy);

private:
    void setPending(int delta);

    QThreadPool m_pool;
    ImageModelPtr m_model;
    std::vector<float> m_positions;
    std::shared_ptr<std::atomic<quint64>> m_latest;
    quint64 m_nextId = 0;
    int m_pending = 0;
};

}  // namespace ascope::ui

Q_DECLARE_METATYPE(ascope::ui::ImageAnalysisPtr)
