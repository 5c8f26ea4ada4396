#include "session/training_worker.h"

namespace ascope::ui {

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent) { qRegisterMetaType<TrainingSnapshot>(); }

TrainingWorker::~TrainingWorker() { stopAndWait(); }

void TrainingWorker::stopAndWait() {
    stop();
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
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

bool TrainingWorker::onProgress(const TrainProgress& p) {
    emit progress(p.step, p.totalSteps, p.loss, p.accuracy, p.itemsPerSecond, p.etaSeconds);
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
    return !m_stop;
}

void TrainingWorker::launch(std::function<Expected<int>()> job, const QString& outDir) {
    stopAndWait();
    m_stop = false;
    m_paused = false;
    m_thread = QThread::create([this, job, outDir] {
        auto result = job();
        emit finished(outDir, result ? *result : 0, result ? QString() : QString::fromStdString(result.error()));
    });
    m_thread->setObjectName(QStringLiteral("training"));
    m_thread->start();
}

void TrainingWorker::startMlm(const MlmTrainConfig& config, const QString& probeSentence) {
    m_imageTask = false;
    m_probeText = probeSentence;
    launch([this, config] { return trainMaskedLm(config, [this](const TrainProgress& p) { return onProgress(p); }); },
           QString::fromStdString(config.outDir));
}

void TrainingWorker::startVit(const VitTrainConfig& config, const RgbImage& probeImage) {
    m_imageTask = true;
    m_probeImage = probeImage;
    launch([this, config] { return trainVitShapes(config, [this](const TrainProgress& p) { return onProgress(p); }); },
           QString::fromStdString(config.outDir));
}

}  // namespace ascope::ui
