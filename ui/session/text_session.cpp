#include "session/text_session.h"

#include "session/text_inference_worker.h"

namespace ascope::ui {

TextSession::TextSession(QObject* parent) : QObject(parent), m_latest(std::make_shared<std::atomic<quint64>>(0)) {
    qRegisterMetaType<TextModelPtr>();
    qRegisterMetaType<TextAnalysisPtr>();
    qRegisterMetaType<std::vector<Token>>();
    qRegisterMetaType<std::vector<float>>();
    m_worker = new TextInferenceWorker(m_latest);
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &TextSession::loadRequested, m_worker, &TextInferenceWorker::load);
    connect(this, &TextSession::analysisRequested, m_worker, &TextInferenceWorker::analyse);
    connect(m_worker, &TextInferenceWorker::loaded, this, &TextSession::onLoaded);
    connect(m_worker, &TextInferenceWorker::loadFailed, this, &TextSession::onLoadFailed);
    connect(m_worker, &TextInferenceWorker::analysed, this, &TextSession::onAnalysed);
    connect(m_worker, &TextInferenceWorker::analysisFailed, this, &TextSession::onAnalysisFailed);
    m_thread.setObjectName(QStringLiteral("text-inference"));
    m_thread.start();
}

TextSession::~TextSession() {
    m_latest->store(~quint64(0));  // cancels a running analysis at its next layer
    m_thread.quit();
    m_thread.wait();
}

void TextSession::openModel(const QString& dir) {
    setPending(+1);
    emit modelLoading(dir);
    emit loadRequested(dir);
}

void TextSession::requestAnalysis(const QString& text, const std::vector<Token>& tokens, int topK) {
    if (!m_model) return;
    const quint64 id = ++m_nextId;
    m_latest->store(id);
    setPending(+1);
    emit analysisRequested(id, m_model, text, tokens, topK);
}

void TextSession::onLoaded(const QString& dir, TextModelPtr model, std::vector<float> positions) {
    setPending(-1);
    m_model = std::move(model);
    m_positionEmbeddings = std::move(positions);
    emit modelLoaded(dir);
}

void TextSession::onLoadFailed(const QString& message) {
    setPending(-1);
    emit modelFailed(message);  // the previous model stays loaded
}

void TextSession::onAnalysed(quint64 id, TextAnalysisPtr analysis) {
    setPending(-1);
    if (id == m_latest->load()) emit analysisReady(std::move(analysis));
}

void TextSession::onAnalysisFailed(quint64 id, const QString& message) {
    setPending(-1);
    if (id == m_latest->load() && message != QLatin1String("cancelled")) emit analysisFailed(message);
}

void TextSession::setPending(int delta) {
    const bool before = m_pending > 0;
    m_pending += delta;
    if (before != (m_pending > 0)) emit busyChanged(m_pending > 0);
}

}  // namespace ascope::ui
