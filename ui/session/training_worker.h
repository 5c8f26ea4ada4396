#pragma once
// Runs a trainer (masked LM or shapes ViT) as a job on its own BackgroundWorker. Pause blocks the
// trainer between steps; stop ends it cleanly after writing a checkpoint. Every checkpoint also
// runs the probe (a sentence or an image) through the saved model, so the GUI can show heads form.
#include <QObject>
#include <atomic>
#include <condition_variable>
#include <mutex>

#include "session/background_worker.h"
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
    bool isRunning() const { return m_worker.isBusy(); }
    // Stops, waits for the checkpoint to be written and ends the worker (for closing the window).
    void stopAndWait();

signals:
    void progress(double step, double total, double loss, double accuracy, double rate, double eta);
    void snapshot(ascope::ui::TrainingSnapshot snapshot);
    void finished(const QString& outDir, int steps, const QString& error);

private:
    bool onProgress(const TrainProgress& p, const CancelToken& token);
    void launch(std::function<Expected<int>(const TrainCallback&)> train, const QString& outDir);

    BackgroundWorker m_worker;
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
