#include "training/mlm_trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "checkpoint/checkpoint_tensors.h"
#include "checkpoint/safetensors_writer.h"
#include "engine/engine_functions.h"
#include "inference/text_model.h"
#include "models/bert.h"
#include "models/torch_weights.h"
#include "tokenizer/bert_tokenizer.h"
#include "training/training_support.h"
#include "training/vocab_builder.h"
#include "util/compute_threads.h"

namespace fs = std::filesystem;

namespace ascope {

namespace {
constexpr int kFirstRegularId = 5;  // after [PAD] [UNK] [CLS] [SEP] [MASK]

ModelConfig modelConfigFor(const MlmTrainConfig& t, int vocabSize) {
    ModelConfig c;
    c.modelType = "bert";
    c.architectures = {"BertForMaskedLM"};
    c.vocabSize = vocabSize;
    c.hiddenSize = t.hidden;
    c.numLayers = t.layers;
    c.numHeads = t.heads;
    c.intermediateSize = t.intermediate;
    c.maxPositionEmbeddings = std::max(t.maxPositions, t.maxTokens);
    c.typeVocabSize = 2;
    c.hiddenAct = "gelu";
    return c;
}

struct Batch {
    std::vector<std::size_t> examples;
    int length = 0;
};

std::vector<Batch> makeBatches(const std::vector<std::vector<int64_t>>& examples, int batchTokens) {
    std::vector<std::size_t> order(examples.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](auto a, auto b) { return examples[a].size() < examples[b].size(); });
    std::vector<Batch> batches;
    Batch current;
    for (auto i : order) {
        const int len = static_cast<int>(examples[i].size());
        if (!current.examples.empty() && static_cast<int>(current.examples.size() + 1) * len > batchTokens) {
            batches.push_back(std::move(current));
            current = Batch();
        }
        current.examples.push_back(i);
        current.length = std::max(current.length, len);
    }
    if (!current.examples.empty()) batches.push_back(std::move(current));
    return batches;
}

}  // namespace


Expected<int> engine::trainMaskedLm(const MlmTrainConfig& t, const TrainCallback& onProgress) {
    if (auto st = validateMlmConfig(t); !st) return st.errorValue();
    auto lines = readCorpusLines(t.corpusPath);
    if (!lines) return lines.errorValue();
    const std::size_t trainEnd = heldOutStart(lines->size(), t.heldOutFraction);
    const std::vector<std::string> trainLines(lines->begin(), lines->begin() + static_cast<long>(trainEnd));

    const fs::path dir(t.outDir);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return makeError(ErrorKind::Io, t.outDir + ": cannot create the output folder");

    TokenizerConfig tokConfig;
    Vocab vocab;
    if (t.resume) {
        auto v = Vocab::fromFile((dir / "vocab.txt").string());
        if (!v) return withContext(v.errorValue(), "cannot resume: ");
        vocab = std::move(*v);
    } else {
        vocab = buildWordPieceVocab(trainLines, t.vocabSize, tokConfig);
    }
    const BertTokenizer tokenizer(vocab, tokConfig);
    const ModelConfig config = modelConfigFor(t, vocab.size());

    std::vector<std::vector<int64_t>> examples;
    for (const auto& line : trainLines) {
        auto tokens = tokenizer.encode(line);
        if (tokens.size() < 4) continue;
        if (static_cast<int>(tokens.size()) > t.maxTokens) {
            tokens.resize(static_cast<std::size_t>(t.maxTokens - 1));
            tokens.push_back(Token{"[SEP]", tokenizer.sepId(), 0, 0, true});
        }
        std::vector<int64_t> ids;
        for (const auto& tok : tokens) ids.push_back(tok.id);
        examples.push_back(std::move(ids));
    }
    if (examples.empty()) return makeError(ErrorKind::InvalidInput, t.corpusPath + ": no usable lines");

    try {
        configureComputeThreads();
        torch::manual_seed(t.seed);
        Activation act = Activation::GeluErf;
        BertModel model(config);
        BertMlmHead head(config, act, /*tiedDecoder=*/true);
        training::initWeights(*model);
        training::initWeights(*head);
        head->decoderWeight = model->wordEmbeddings->weight;
        Dropout dropout{t.dropout, at::make_generator<at::CPUGeneratorImpl>(t.seed)};

        auto optimizerPtr = training::makeAdamW({model.get(), head.get()}, t.learningRate, t.weightDecay);
        auto& optimizer = *optimizerPtr;
        const auto batches = makeBatches(examples, t.batchTokens);
        // The data order and masking generator (resumed runs continue it exactly).
        training::DataOrder data(t.seed, batches.size());

        int startStep = 0;
        if (t.resume) {
            auto tensors = CheckpointTensors::openFolder(t.outDir);
            if (!tensors) return withContext(tensors.errorValue(), "cannot resume: ");
            if (auto st = loadParameters(*model, *tensors, "bert."); !st) return st.errorValue();
            if (auto st = loadParameters(*head, *tensors, "cls.predictions."); !st) return st.errorValue();
            auto state = training::loadTrainerState(t.outDir, optimizer);
            if (!state) return withContext(state.errorValue(), "cannot resume: ");
            if (auto st = data.fromJson(state->extra, dropout.generator, batches.size(), "corpus"); !st)
                return withContext(st.errorValue(), "cannot resume: ");
            startStep = state->step;
        }
        if (auto st = training::writeTextAtomic((dir / "config.json").string(), config.toJsonText()); !st) return st.errorValue();
        if (auto st = vocab.writeFile((dir / "vocab.txt").string()); !st) return st.errorValue();
        if (auto st = training::writeTextAtomic((dir / "tokenizer_config.json").string(),
                                R"({"do_lower_case": true, "tokenize_chinese_chars": true, "strip_accents": null,)"
                                R"( "tokenizer_class": "BertTokenizer", "model_max_length": )" +
                                    std::to_string(config.maxPositionEmbeddings) + "}");
            !st)
            return st.errorValue();

        model->setDropout(dropout);
        model->train();
        head->train();
        std::uniform_real_distribution<double> uniform(0.0, 1.0);
        std::uniform_int_distribution<int> randomToken(kFirstRegularId, config.vocabSize - 1);
        auto& rng = data.rng;

        auto forward = [&](int) -> training::StepOutput {
            const auto& batch = batches[data.next()];
            const int64_t rows = static_cast<int64_t>(batch.examples.size()), len = batch.length;
            std::vector<int64_t> ids(static_cast<std::size_t>(rows * len), tokenizer.padId());
            std::vector<int64_t> mask(ids.size(), 0), positions, labels;
            int realTokens = 0;
            for (int64_t r = 0; r < rows; ++r) {
                const auto& ex = examples[batch.examples[static_cast<std::size_t>(r)]];
                const int64_t n = static_cast<int64_t>(ex.size());
                realTokens += static_cast<int>(n);
                std::vector<int64_t> chosen;
                for (int64_t i = 0; i < n; ++i) {
                    ids[static_cast<std::size_t>(r * len + i)] = ex[static_cast<std::size_t>(i)];
                    mask[static_cast<std::size_t>(r * len + i)] = 1;
                    if (i > 0 && i < n - 1 && uniform(rng) < 0.15) chosen.push_back(i);
                }
                if (chosen.empty()) chosen.push_back(1 + static_cast<int64_t>(rng() % static_cast<unsigned>(n - 2)));
                for (int64_t i : chosen) {
                    const auto flat = static_cast<std::size_t>(r * len + i);
                    positions.push_back(static_cast<int64_t>(flat));
                    labels.push_back(ids[flat]);
                    const double u = uniform(rng);
                    if (u < 0.8) ids[flat] = tokenizer.maskId();
                    else if (u < 0.9) ids[flat] = randomToken(rng);
                }
            }
            auto input = torch::tensor(ids, torch::kLong).view({rows, len});         // [batch, seq]
            auto attention = torch::tensor(mask, torch::kLong).view({rows, len});    // [batch, seq]
            auto out = model->forward(input, attention, false);
            auto hidden = out.lastHidden.reshape({rows * len, config.hiddenSize});  // [batch * seq, hidden]
            auto picked = hidden.index_select(0, torch::tensor(positions, torch::kLong));  // [masked, hidden]
            auto logits = head->forward(picked);                                   // [masked, vocab]
            auto target = torch::tensor(labels, torch::kLong);
            const double acc = logits.argmax(-1).eq(target).to(torch::kFloat32).mean().item<double>();
            return {torch::nn::functional::cross_entropy(logits, target), acc, static_cast<double>(realTokens)};
        };
        auto save = [&](int step) -> Status {
            model->eval();
            SafetensorsWriter writer;
            const bool half = t.halfPrecisionOutput && step == t.steps;
            training::addParameters(writer, *model, "bert.", half);
            training::addParameters(writer, *head, "cls.predictions.", half);  // the decoder is tied: not written
            writer.setMetadata("format", "pt");
            model->train();
            if (auto st = writer.write((dir / "model.safetensors").string()); !st) return st;
            return training::saveTrainerState(dir.string(), optimizer, step, t.seed, data.toJson(dropout.generator));
        };
        training::LoopSettings loop{t.steps, t.learningRate, t.warmupFraction, t.clipNorm, t.checkpointEvery, t.outDir};
        return training::runTrainingLoop(loop, optimizer, startStep, forward, save, onProgress);
    } catch (const std::exception& e) {
        return makeError(ErrorKind::Internal, describeTorchError(e));
    }
}

Expected<MlmEvaluation> engine::evaluateMaskedLm(const std::string& modelDir, const std::string& corpusPath,
                                         double heldOutFraction, int maxLines, unsigned seed) {
    auto model = TextModel::load(modelDir);
    if (!model) return model.errorValue();
    auto lines = readCorpusLines(corpusPath);
    if (!lines) return lines.errorValue();
    const auto& tok = (*model)->tokenizer();
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    MlmEvaluation e;
    int used = 0;
    long hit1 = 0, hit5 = 0;
    for (std::size_t i = heldOutStart(lines->size(), heldOutFraction); i < lines->size() && used < maxLines; ++i) {
        auto tokens = tok.encode((*lines)[i]);
        if (tokens.size() < 4 || static_cast<int>(tokens.size()) > (*model)->maxTokens()) continue;
        std::vector<int> truth(tokens.size(), -1);
        bool any = false;
        for (std::size_t k = 1; k + 1 < tokens.size(); ++k)
            if (uniform(rng) < 0.15) {
                truth[k] = tokens[k].id;
                tokens[k].id = tok.maskId();
                tokens[k].text = "[MASK]";
                any = true;
            }
        if (!any) continue;
        TextRunOptions options;
        options.topK = 5;
        auto r = (*model)->analyseTokens((*lines)[i], tokens, options);
        if (!r) return r.errorValue();
        for (const auto& p : r->predictions) {
            const int want = truth[static_cast<std::size_t>(p.position)];
            ++e.maskedTokens;
            if (!p.top.empty() && p.top[0].id == want) ++hit1;
            for (const auto& c : p.top)
                if (c.id == want) ++hit5;
        }
        ++used;
    }
    if (e.maskedTokens == 0) return makeError(ErrorKind::InvalidInput, corpusPath + ": no held-out lines to evaluate");
    e.top1 = static_cast<double>(hit1) / e.maskedTokens;
    e.top5 = static_cast<double>(hit5) / e.maskedTokens;
    return e;
}

}  // namespace ascope
