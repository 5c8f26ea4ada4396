#pragma once
// Runs a trainer (masked LM or shapes ViT) on its own thread. Pause blocks the trainer between
// steps; stop ends it cleanly after writing a checkpoint. Every checkpoint also runs the probe
// (a sentence or an image) through the saved model, so the GUI can show heads forming.
#include <QObject>
#include <QThread>
#include <atomic>
#include <condition_variable>
#include <mutex>

#include "session/image_session.h"
#include "session/text_session.h"
#include "training/mlm_trainer.h"
#include "training/vit_trainer.h"

namespace ascope::ui {

struct TrainingSnapshot {
    int step = 0;
    TextAnalysisPtr text;
    ImageAnalysisPtr image;
};

class TrainingWorker : public QObject {
    Q_OBJECT
public:
    explicit TrainingWorker(QObject* parent = nullptr);
    ~TrainingWorker() override;

    void startMlm(const MlmTrainConfig& config, const QString& probeSentence);
    void startVit(const VitTrainConfig& config, const RgbImage& probeImage);
    void setPaused(bool paused);
    void stop();
    bool isRunning() const { return m_thread && m_thread->isRunning(); }
    // Stops and waits (for closing the window).
    void stopAndWait();

signals:
    void progress(double step, double total, double loss, double accuracy, double rate, double eta);
    void snapshot(ascope::ui::TrainingSnapshot snapshot);
    void finished(const QString& outDir, int steps, const QString& error);

private:
    bool onProgress(const TrainProgress& p);
    void launch(std::function<Expected<int>()> job, const QString& outDir);

    QThread* m_thread = nullptr;
    std::atomic<bool> m_stop{false};
    std::mutex m_mutex;
    std::condition_variable m_resume;
    bool m_paused = false;
    QString m_probeText;
    RgbImage m_probeImage;
    bool m_imageTask = false;
};

}  // namespace ascope::ui

Q_DECLARE_METATYPE(ascope::ui::TrainingSnapshot)
