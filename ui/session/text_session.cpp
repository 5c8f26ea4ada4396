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

void TextSession::requestAnalysis(const QString& text, const std::vector<Token>& tokens, int topK) {
    if (!m_model) return;
    runAnalysis<TextAnalysis>(
        [model = m_model, text = text.toStdString(), tokens, topK](std::function<bool(int, int)> onLayer) {
            TextRunOptions options;
            options.topK = topK;
            options.onLayer = std::move(onLayer);
            return model->analyseTokens(text, tokens, options);
        },
        [this](TextAnalysisPtr analysis) { emit analysisReady(std::move(analysis)); });
}

}  // namespace ascope::ui
