#include "session/training_worker.h"

namespace ascope::ui {

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent), m_worker(QStringLiteral("training")) {
    qRegisterMetaType<TrainingSnapshot>();
}

TrainingWorker::~TrainingWorker() { stopAndWait(); }

void TrainingWorker::stopAndWait() {
    stop();
    m_worker.shutdown();
}

void TrainingWorker::setPaused(bool paused) {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_paused = paused;
    }
    m_resume.notify_all();
}

void TrainingWorker::stop() {
    m_stop = true;
    setPaused(false);
}

// On the training thread, after every step.
bool TrainingWorker::onProgress(const TrainProgress& p, const CancelToken& token) {
    emit progress(p.step, p.totalSteps, p.loss, p.accuracy, p.itemsPerSecond, p.etaSeconds);
    if (p.validationAccuracy >= 0 && p.validationAccuracy != m_lastValidation) {
        m_lastValidation = p.validationAccuracy;
        emit validated(p.step, p.validationAccuracy);
    }
    if (!p.checkpointWritten.empty()) {
        TrainingSnapshot s;
        s.step = p.step;
        if (m_imageTask) {
            if (auto model = ImageModel::load(p.checkpointWritten))
                if (auto r = (*model)->analyse(m_probeImage)) s.image = std::make_shared<const ImageAnalysis>(std::move(*r));
        } else {
            if (auto model = TextModel::load(p.checkpointWritten))
                if (auto r = (*model)->analyse(m_probeText.toStdString())) s.text = std::make_shared<const TextAnalysis>(std::move(*r));
        }
        if (s.text || s.image) emit snapshot(s);
    }
    std::unique_lock<std::mutex> lock(m_mutex);
    m_resume.wait(lock, [this] { return !m_paused || m_stop; });
    return !m_stop && !token.isCancelled();
}

void TrainingWorker::launch(std::function<Expected<int>(const TrainCallback&)> train, const QString& outDir) {
    m_stop = false;
    m_lastValidation = -1;
    setPaused(false);
    m_worker.post<Expected<int>>(
        0,
        [this, train](const CancelToken& token) {
            return train([this, token](const TrainProgress& p) { return onProgress(p, token); });
        },
        [this, outDir](Expected<int> result) {
            emit finished(outDir, result ? *result : 0, result ? QString() : QString::fromStdString(result.error()));
        });
}

void TrainingWorker::startMlm(const MlmTrainConfig& config, const QString& probeSentence) {
    m_imageTask = false;
    m_probeText = probeSentence;
    launch([config](const TrainCallback& cb) { return trainMaskedLm(config, cb); }, QString::fromStdString(config.outDir));
}

void TrainingWorker::startVit(const VitTrainConfig& config, const RgbImage& probeImage) {
    m_imageTask = true;
    m_probeImage = probeImage;
    launch([config](const TrainCallback& cb) { return trainVitShapes(config, cb); }, QString::fromStdString(config.outDir));
}

void TrainingWorker::startFineTune(const FineTuneConfig& config, const QString& probeSentence) {
    m_imageTask = false;
    m_probeText = probeSentence;
    m_report = FineTuneReport{};
    launch(
        [this, config](const TrainCallback& cb) -> Expected<int> {
            auto report = fineTune(config, cb);
            if (!report) return report.errorValue();
            m_report = *report;
            return report->steps;
        },
        QString::fromStdString(config.outDir));
}

}  // namespace ascope::ui
