#pragma once
// The GUI's handle on a text model: loads models and runs analyses on its worker thread. A new
// request supersedes the running one (cancelled between layers); results arrive as signals.
#include <memory>
#include <vector>

#include "inference/text_model.h"
#include "session/model_session.h"

namespace ascope::ui {

using TextModelPtr = std::shared_ptr<const TextModel>;
using TextAnalysisPtr = std::shared_ptr<const TextAnalysis>;

class TextSession : public ModelSession {
    Q_OBJECT
public:
    explicit TextSession(QObject* parent = nullptr);

    void openModel(const QString& dir);
    // Runs the model on `tokens` (already edited: masked chips carry the mask id) with `options`
    // (top-k, attention mask, ablated heads; the session adds the cancellation).
    void requestAnalysis(const QString& text, const std::vector<Token>& tokens, const TextRunOptions& options);

    TextModelPtr model() const { return m_model; }
    const std::vector<float>& positionEmbeddings() const { return m_positionEmbeddings; }

signals:
    void analysisReady(ascope::ui::TextAnalysisPtr analysis);

private:
    TextModelPtr m_model;
    std::vector<float> m_positionEmbeddings;
};

}  // namespace ascope::ui

Q_DECLARE_METATYPE(ascope::ui::TextAnalysisPtr)
