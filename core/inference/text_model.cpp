// TextModel's torch-free half: the folder's checks, then the engine's loader.
#include "inference/text_model.h"

#include <filesystem>

#include "engine/engine_library.h"
#include "tokenizer/tokenizer_loader.h"

namespace ascope {

TextModel::~TextModel() = default;

Expected<std::unique_ptr<TextModel>> TextModel::load(const std::string& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) return makeError(ErrorKind::Io, dir + ": not a folder");
    auto config = ModelConfig::fromFile((std::filesystem::path(dir) / "config.json").string());
    if (!config) return config.errorValue();
    if (config->isVision())
        return makeError(ErrorKind::InvalidInput, dir + ": this is an image model (model_type '" + config->modelType +
                         "'); open it in image mode");
    if (!config->isBertFamily())
        return makeError(ErrorKind::Unsupported, dir + ": model_type '" + config->modelType +
                         "' is not supported yet (BERT, DistilBERT, ALBERT, RoBERTa, XLM-RoBERTa, CamemBERT)");
    auto tokenizer = loadTokenizer(dir, *config);
    if (!tokenizer) return tokenizer.errorValue();
    if ((*tokenizer)->vocabSize() > config->vocabSize)
        return makeError(ErrorKind::InvalidInput, dir + ": the tokenizer's vocabulary has " + std::to_string((*tokenizer)->vocabSize()) +
                         " entries but config.json says vocab_size " + std::to_string(config->vocabSize));
    auto engine = engineApi();
    if (!engine) return engine.errorValue();
    return (*engine)->loadTextModel(dir, *config, std::move(*tokenizer));
}

Expected<TextAnalysis> TextModel::analysePair(std::string_view a, std::string_view b, const TextRunOptions& options) const {
    if (b.empty()) return analyse(a, options);
    return analyseTokens(TextTokenizer::pairText(a, b), tokenizer().encodePair(a, b), options);
}

Expected<TextAnalysis> TextModel::analyse(std::string_view text, const TextRunOptions& options) const {
    return analyseTokens(std::string(text), tokenizer().encode(text), options);
}

}  // namespace ascope
