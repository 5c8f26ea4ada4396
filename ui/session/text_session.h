#pragma once
// The GUI's handle on a text model: loads models and runs analyses on a worker thread. A new
// request supersedes the running one (cancelled between layers); results arrive as signals.
#include <QObject>
#include <QString>
#include <QThread>
#include <atomic>
#include <memory>
#include <vector>

#include "inference/text_model.h"

namespace ascope::ui {

using TextModelPtr = std::shared_ptr<const TextModel>;
using TextAnalysisPtr = std::shared_ptr<const TextAnalysis>;

class TextInferenceWorker;

class TextSession : public QObject {
    Q_OBJECT
public:
    explicit TextSession(QObject* parent = nullptr);
    ~TextSession() override;

    void openModel(const QString& dir);
    // Runs the model on `tokens` (already edited: masked chips carry the [MASK] id).
    void requestAnalysis(const QString& text, const std::vector<Token>& tokens, int topK);

    TextModelPtr model() const { return m_model; }
    const std::vector<float>& positionEmbeddings() const { return m_positionEmbeddings; }
    bool isBusy() const { return m_pending > 0; }

signals:
    void modelLoading(const QString& dir);
    void modelLoaded(const QString& dir);
    void modelFailed(const QString& message);
    void analysisReady(ascope::ui::TextAnalysisPtr analysis);
    void analysisFailed(const QString& message);
    void busyChanged(bool busy);

    // Internal: to the worker thread.
    void loadRequested(const QString& dir);
    void analysisRequested(quint64 id, ascope::ui::TextModelPtr model, const QString& text,
                           std::vector<ascope::Token> tokens, int topK);

private:
    void onLoaded(const QString& dir, ascope::ui::TextModelPtr model, std::vector<float> positions);
    void onLoadFailed(const QString& message);
    void onAnalysed(quint64 id, ascope::ui::TextAnalysisPtr analysis);
    void onAnalysisFailed(quint64 id, const QString& message);
    void setPending(int delta);

    QThread m_thread;
    TextInferenceWorker* m_worker = nullptr;
    TextModelPtr m_model;
    std::vector<float> m_positionEmbeddings;
    std::shared_ptr<std::atomic<quint64>> m_latest;
    quint64 m_nextId = 0;
    int m_pending = 0;
};

}  // namespace ascope::ui

Q_DECLARE_METATYPE(ascope::ui::TextModelPtr)
Q_DECLARE_METATYPE(ascope::ui::TextAnalysisPtr)
Q_DECLARE_METATYPE(std::vector<ascope::Token>)
Q_DECLARE_METATYPE(std::vector<float>)
