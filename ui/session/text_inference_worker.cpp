#include "session/text_inference_worker.h"

namespace ascope::ui {

void TextInferenceWorker::load(const QString& dir) {
    auto model = TextModel::load(dir.toStdString());
    if (!model) {
        emit loadFailed(QString::fromStdString(model.error()));
        return;
    }
    std::shared_ptr<const TextModel> shared(std::move(*model));
    emit loaded(dir, shared, shared->positionEmbeddings());
}

void TextInferenceWorker::analyse(quint64 id, TextModelPtr model, const QString& text, std::vector<Token> tokens,
                                  int topK) {
    if (id != m_latest->load()) {  // superseded while queued
        emit analysisFailed(id, QStringLiteral("cancelled"));
        return;
    }
    TextRunOptions options;
    options.topK = topK;
    options.onLayer = [this, id](int, int) { return id == m_latest->load(); };
    auto result = model->analyseTokens(text.toStdString(), std::move(tokens), options);
    if (!result) {
        emit analysisFailed(id, QString::fromStdString(result.error()));
        return;
    }
    emit analysed(id, std::make_shared<const TextAnalysis>(std::move(*result)));
}

}  // namespace ascope::ui
