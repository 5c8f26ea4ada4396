#pragma once
// The GUI's handle on a text model: loads models and runs analyses on its worker thread. A new
// request supersedes the running one (cancelled between layers); results arrive as signals.
#include <memory>
#include <vector>

#include "inference/text_model.h"
#include "inference/text_windows.h"
#include "session/model_session.h"

namespace ascope::ui {

using TextModelPtr = std::shared_ptr<const TextModel>;
using TextAnalysisPtr = std::shared_ptr<const TextAnalysis>;
using WindowedAnalysisPtr = std::shared_ptr<const WindowedAnalysis>;

class TextSession : public ModelSession {
    Q_OBJECT
public:
    explicit TextSession(QObject* parent = nullptr);

    void openModel(const QString& dir);
    // Uses a model another session loaded (no second copy in memory); emits modelLoaded(dir).
    void useModel(TextModelPtr model, const QString& dir);
    // Runs the model on `tokens` (already edited: masked chips carry the mask id) with `options`
    // (top-k, attention mask, ablated heads; the session adds the cancellation). With
    // `withBaseline` the same tokens also run without any mask, padding or ablation, for
    // comparison (analysisReady's second argument).
    void requestAnalysis(const QString& text, const std::vector<Token>& tokens, const TextRunOptions& options,
                         bool withBaseline = false);
    // A text longer than the model in overlapping windows (analyseTokensInWindows): `tokens` are
    // the whole text's edited tokens; `window` 0 takes the model's maximum. Supersedes and is
    // superseded by requestAnalysis; the result arrives as windowedAnalysisReady.
    void requestWindowedAnalysis(const QString& text, const std::vector<Token>& tokens, int window, int stride,
                                 const TextRunOptions& options);
    // Head importance of every head for the [MASK]s of `tokens` (its own lane: an analysis does
    // not cancel it). Progress and the result arrive as signals.
    void requestHeadImportance(const std::vector<Token>& tokens, const TextRunOptions& options);

    TextModelPtr model() const { return m_model; }
    const std::vector<float>& positionEmbeddings() const { return m_positionEmbeddings; }

signals:
    // baseline: null unless requested.
    void analysisReady(ascope::ui::TextAnalysisPtr analysis, ascope::ui::TextAnalysisPtr baseline);
    void windowedAnalysisReady(ascope::ui::WindowedAnalysisPtr windowed);

private:
    TextModelPtr m_model;
    std::vector<float> m_positionEmbeddings;
};

}  // namespace ascope::ui

Q_DECLARE_METATYPE(ascope::ui::TextAnalysisPtr)
Q_DECLARE_METATYPE(ascope::ui::WindowedAnalysisPtr)
