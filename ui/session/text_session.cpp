#include "session/text_session.h"

namespace ascope::ui {

TextSession::TextSession(QObject* parent) : ModelSession(QStringLiteral("text-inference"), parent) {
    qRegisterMetaType<TextAnalysisPtr>();
}

void TextSession::openModel(const QString& dir) {
    loadModel<TextModel>(dir, [this](TextModelPtr model) {
        m_positionEmbeddings = model->positionEmbeddings();
        m_model = std::move(model);
    });
}

void TextSession::requestAnalysis(const QString& text, const std::vector<Token>& tokens, const TextRunOptions& options) {
    if (!m_model) return;
    runAnalysis<TextAnalysis>(
        [model = m_model, text = text.toStdString(), tokens, options](std::function<bool(int, int)> onLayer) {
            TextRunOptions run = options;
            run.onLayer = std::move(onLayer);
            return model->analyseTokens(text, tokens, run);
        },
        [this](TextAnalysisPtr analysis) { emit analysisReady(std::move(analysis)); });
}

}  // namespace ascope::ui
