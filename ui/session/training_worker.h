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
#include "training/fine_tuner.h"
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
    // Fine-tuning: the probe sentence is classified by every checkpoint; the report arrives with finished.
    void startFineTune(const FineTuneConfig& config, const QString& probeSentence);
    // The last fine-tuning run's report (valid after its finished signal without error).
    const FineTuneReport& lastReport() const { return m_report; }
    void setPaused(bool paused);
    void stop();
    bool isRunning() const { return m_worker.isBusy(); }
    // Stops, waits for the checkpoint to be written and ends the worker (for closing the window).
    void stopAndWait();

signals:
    void progress(double step, double total, double loss, double accuracy, double rate, double eta);
    void snapshot(ascope::ui::TrainingSnapshot snapshot);
    // Fine-tuning: the held-out accuracy measured after an epoch, at `step`.
    void validated(double step, double accuracy);
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
    double m_lastValidation = -1;
    FineTuneReport m_report;  // written on the training thread before finished is emitted
};

}  // namespace ascope::ui

Q_DECLARE_METATYPE(ascope::ui::TrainingSnapshot)
