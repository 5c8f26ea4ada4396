#include "session/text_session.h"


namespace ascope::ui {

namespace {
// An analysis and, when asked for, the same tokens without any control inside attention.
struct AnalysisWithBaseline {
    TextAnalysis analysis;
    std::unique_ptr<TextAnalysis> baseline;
};
}  // namespace

TextSession::TextSession(QObject* parent) : ModelSession(QStringLiteral("text-inference"), parent) {
    qRegisterMetaType<TextAnalysisPtr>();
    qRegisterMetaType<WindowedAnalysisPtr>();
}

void TextSession::openModel(const QString& dir) {
    cancelHeadImportance();
    loadModel<TextModel>(dir, [this](TextModelPtr model) {
        m_positionEmbeddings = model->positionEmbeddings();
        m_model = std::move(model);
    });
}

void TextSession::useModel(TextModelPtr model, const QString& dir) {
    cancelHeadImportance();
    m_worker.cancel(LoadLane);  // a load still running would replace it
    m_positionEmbeddings.clear();
    m_model = std::move(model);
    emit modelLoaded(dir);
}

void TextSession::requestAnalysis(const QString& text, const std::vector<Token>& tokens, const TextRunOptions& options,
                                  bool withBaseline) {
    if (!m_model) return;
    runAnalysis<AnalysisWithBaseline>(
        [model = m_model, text = text.toStdString(), tokens, options, withBaseline](std::function<bool(int, int)> onLayer)
            -> Expected<AnalysisWithBaseline> {
            TextRunOptions run = options;
            run.onLayer = onLayer;
            auto analysis = model->analyseTokens(text, tokens, run);
            if (!analysis) return analysis.errorValue();
            AnalysisWithBaseline out{std::move(*analysis), nullptr};
            if (withBaseline) {
                run.attentionMask = AttentionMaskSpec{};
                run.ablate.clear();
                auto baseline = model->analyseTokens(text, tokens, run);
                if (!baseline) return baseline.errorValue();
                out.baseline = std::make_unique<TextAnalysis>(std::move(*baseline));
            }
            return out;
        },
        [this](std::shared_ptr<const AnalysisWithBaseline> both) {
            // Views of the one shared result (aliasing constructors: no copies).
            TextAnalysisPtr analysis(both, &both->analysis);
            TextAnalysisPtr baseline = both->baseline ? TextAnalysisPtr(both, both->baseline.get()) : nullptr;
            emit analysisReady(std::move(analysis), std::move(baseline));
        });
}

void TextSession::requestWindowedAnalysis(const QString& text, const std::vector<Token>& tokens, int window, int stride,
                                          const TextRunOptions& options) {
    if (!m_model) return;
    runAnalysis<WindowedAnalysis>(
        [model = m_model, text = text.toStdString(), tokens, window, stride, options](std::function<bool(int, int)> onLayer) {
            TextRunOptions run = options;
            run.onLayer = std::move(onLayer);
            return analyseTokensInWindows(*model, text, tokens, window, stride, run);
        },
        [this](WindowedAnalysisPtr windowed) { emit windowedAnalysisReady(std::move(windowed)); });
}

void TextSession::requestHeadImportance(const std::vector<Token>& tokens, const TextRunOptions& options) {
    if (!m_model) return;
    runHeadImportance([model = m_model, tokens, options](const std::function<bool(int, int)>& onProgress) {
        return model->headImportance(tokens, options, onProgress);
    });
}

}  // namespace ascope::ui
