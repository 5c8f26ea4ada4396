#pragma once
// Lives on TextSession's worker thread: loads models and runs analyses there.
#include <QObject>
#include <atomic>
#include <memory>

#include "session/text_session.h"

namespace ascope::ui {

class TextInferenceWorker : public QObject {
    Q_OBJECT
public:
    explicit TextInferenceWorker(std::shared_ptr<std::atomic<quint64>> latest) : m_latest(std::move(latest)) {}

public slots:
    void load(const QString& dir);
    void analyse(quint64 id, ascope::ui::TextModelPtr model, const QString& text, std::vector<ascope::Token> tokens,
                 int topK);

signals:
    void loaded(const QString& dir, ascope::ui::TextModelPtr model, std::vector<float> positions);
    void loadFailed(const QString& message);
    void analysed(quint64 id, ascope::ui::TextAnalysisPtr analysis);
    void analysisFailed(quint64 id, const QString& message);

private:
    std::shared_ptr<std::atomic<quint64>> m_latest;
};

}  // namespace ascope::ui
