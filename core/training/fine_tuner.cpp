// The engine's fine-tuner (training/fine_tuner.h): a BERT encoder from any checkpoint, a new
// classifier head, the shared training loop.
#include "training/fine_tuner.h"

#include <ATen/CPUGeneratorImpl.h>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "checkpoint/checkpoint_tensors.h"
#include "engine/engine_functions.h"
#include "models/bert.h"
#include "models/torch_weights.h"
#include "tokenizer/bert_tokenizer.h"
#include "training/labelled_data.h"
#include "training/training_support.h"
#include "util/compute_threads.h"

namespace fs = std::filesystem;

namespace ascope {

namespace {
constexpr int64_t kIgnored = -100;  // positions without a label (as Hugging Face's ignore index)

struct Example {
    std::vector<int64_t> ids;
    std::vector<int64_t> labels;  // one (a sentence) or one per id (tokens; kIgnored for [CLS]/[SEP])
};

struct Dataset {
    std::vector<std::string> labelNames;
    std::vector<Example> train, heldOut;
};

std::string continuationTag(const std::string& tag, const std::map<std::string, int64_t>& ids) {
    if (tag.rfind("B-", 0) == 0 && ids.count("I-" + tag.substr(2))) return "I-" + tag.substr(2);
    return tag;
}

// Examples of the file's sentences or tagged words, split with the seed.
Expected<Dataset> readDataset(const FineTuneConfig& t, const BertTokenizer& tok, int maxLen,
                              const std::vector<std::string>& fixedLabels) {
    Dataset d;
    std::vector<Example> all;
    std::vector<std::string> names;
    auto cut = [&](std::vector<int64_t>& ids, std::vector<int64_t>* labels) {
        if (static_cast<int>(ids.size()) <= maxLen) return;
        ids.resize(static_cast<std::size_t>(maxLen - 1));
        ids.push_back(tok.sepId());
        if (labels) {
            labels->resize(static_cast<std::size_t>(maxLen - 1));
            labels->push_back(kIgnored);
        }
    };
    std::map<std::string, int64_t> ids;
    auto index = [&](const std::vector<std::string>& labels) -> Status {
        d.labelNames = fixedLabels.empty() ? labels : fixedLabels;
        for (std::size_t i = 0; i < d.labelNames.size(); ++i) ids[d.labelNames[i]] = static_cast<int64_t>(i);
        for (const auto& l : labels)
            if (!ids.count(l))
                return makeError(ErrorKind::InvalidInput, t.dataPath + ": label '" + l + "' is not one the resumed model has");
        if (d.labelNames.size() < 2) return makeError(ErrorKind::InvalidInput, t.dataPath + ": the data needs at least two different labels");
        return Status::ok();
    };
    if (t.task == FineTuneTask::Sentence) {
        auto rows = readLabelledSentences(t.dataPath);
        if (!rows) return rows.errorValue();
        for (const auto& r : *rows) names.push_back(r.label);
        if (auto st = index(labelSet(names, false)); !st) return st.errorValue();
        for (const auto& r : *rows) {
            Example e;
            for (const auto& token : tok.encode(r.text)) e.ids.push_back(token.id);
            cut(e.ids, nullptr);
            e.labels = {ids.at(r.label)};
            all.push_back(std::move(e));
        }
    } else {
        auto rows = readTaggedSentences(t.dataPath);
        if (!rows) return rows.errorValue();
        for (const auto& r : *rows) names.insert(names.end(), r.tags.begin(), r.tags.end());
        if (auto st = index(labelSet(names, true)); !st) return st.errorValue();
        for (const auto& r : *rows) {
            Example e{{tok.clsId()}, {kIgnored}};
            for (std::size_t w = 0; w < r.words.size(); ++w) {
                const auto pieces = tok.encode(r.words[w], false);
                for (std::size_t p = 0; p < pieces.size(); ++p) {  // later pieces of a B- word continue it (I-)
                    e.ids.push_back(pieces[p].id);
                    e.labels.push_back(ids.at(p == 0 ? r.tags[w] : continuationTag(r.tags[w], ids)));
                }
            }
            e.ids.push_back(tok.sepId());
            e.labels.push_back(kIgnored);
            cut(e.ids, &e.labels);
            all.push_back(std::move(e));
        }
    }
    std::vector<std::size_t> order(all.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::mt19937 rng(t.seed);
    std::shuffle(order.begin(), order.end(), rng);
    std::size_t held = static_cast<std::size_t>(static_cast<double>(all.size()) * t.heldOutFraction + 0.5);
    if (t.heldOutFraction > 0 && all.size() >= 2) held = std::clamp<std::size_t>(held, 1, all.size() - 1);
    for (std::size_t i = 0; i < order.size(); ++i) (i < held ? d.heldOut : d.train).push_back(std::move(all[order[i]]));
    if (d.train.empty()) return makeError(ErrorKind::InvalidInput, t.dataPath + ": nothing left to train on");
    return d;
}

struct Batch {
    torch::Tensor ids, mask, labels;  // [batch, seq], [batch, seq], [batch] or [batch, seq]
};

Batch makeBatch(const std::vector<Example>& examples, const std::vector<std::size_t>& rows, bool tokens, int64_t pad) {
    int64_t len = 0;
    for (auto r : rows) len = std::max<int64_t>(len, static_cast<int64_t>(examples[r].ids.size()));
    const auto n = static_cast<int64_t>(rows.size());
    std::vector<int64_t> ids(static_cast<std::size_t>(n * len), pad), mask(ids.size(), 0),
        labels(tokens ? ids.size() : static_cast<std::size_t>(n), kIgnored);
    for (int64_t b = 0; b < n; ++b) {
        const auto& e = examples[rows[static_cast<std::size_t>(b)]];
        for (std::size_t i = 0; i < e.ids.size(); ++i) {
            ids[static_cast<std::size_t>(b * len) + i] = e.ids[i];
            mask[static_cast<std::size_t>(b * len) + i] = 1;
            if (tokens) labels[static_cast<std::size_t>(b * len) + i] = e.labels[i];
        }
        if (!tokens) labels[static_cast<std::size_t>(b)] = e.labels[0];
    }
    auto shape = std::vector<int64_t>{n, len};
    return {torch::tensor(ids, torch::kLong).view(shape), torch::tensor(mask, torch::kLong).view(shape),
            tokens ? torch::tensor(labels, torch::kLong).view(shape) : torch::tensor(labels, torch::kLong)};
}

// Logits [batch, labels] (sentences) or [batch * seq, labels] (tokens), labels flattened to match.
std::pair<torch::Tensor, torch::Tensor> logitsOf(BertModel& model, BertClassifierHead& head, const Batch& b,
                                                 const Dropout* dropout) {
    auto hidden = model->forward(b.ids, b.mask, false).lastHidden;  // [batch, seq, hidden]
    if (head->pooler) {
        auto pooled = torch::tanh(head->pooler(hidden.select(1, 0)));  // [batch, hidden], the first token
        if (dropout) pooled = dropout->apply(pooled);
        return {head->classifier(pooled), b.labels};  // [batch, labels]
    }
    if (dropout) hidden = dropout->apply(hidden);
    auto logits = head->classifier(hidden);                                      // [batch, seq, labels]
    return {logits.reshape({-1, logits.size(-1)}), b.labels.reshape({-1})};     // [batch * seq, labels]
}

double accuracyOf(const torch::Tensor& logits, const torch::Tensor& labels) {
    auto kept = labels.ne(kIgnored);
    const auto n = kept.sum().item<int64_t>();
    if (n == 0) return 0;
    return logits.argmax(-1).eq(labels).logical_and(kept).sum().item<double>() / static_cast<double>(n);
}

// Accuracy and per-label precision/recall on the held-out examples (eval mode, no gradients).
FineTuneReport evaluate(BertModel& model, BertClassifierHead& head, const Dataset& d, bool tokens, int64_t pad,
                        int batchSize) {
    FineTuneReport r;
    r.heldOutExamples = static_cast<int>(d.heldOut.size());
    const auto k = d.labelNames.size();
    std::vector<int> truePositive(k, 0), predicted(k, 0), actual(k, 0);
    int correct = 0, total = 0;
    model->eval();
    head->eval();
    {
        torch::NoGradGuard noGrad;
        for (std::size_t start = 0; start < d.heldOut.size(); start += static_cast<std::size_t>(batchSize)) {
            std::vector<std::size_t> rows;
            for (auto i = start; i < std::min(d.heldOut.size(), start + static_cast<std::size_t>(batchSize)); ++i) rows.push_back(i);
            auto [logits, labels] = logitsOf(model, head, makeBatch(d.heldOut, rows, tokens, pad), nullptr);
            auto guess = logits.argmax(-1).contiguous();
            auto truth = labels.contiguous();
            for (int64_t i = 0; i < truth.numel(); ++i) {
                const auto want = truth[i].item<int64_t>();
                if (want == kIgnored) continue;
                const auto got = guess[i].item<int64_t>();
                ++total;
                ++actual[static_cast<std::size_t>(want)];
                ++predicted[static_cast<std::size_t>(got)];
                if (got == want) {
                    ++correct;
                    ++truePositive[static_cast<std::size_t>(want)];
                }
            }
        }
    }
    model->train();
    head->train();
    r.heldOutAccuracy = total ? static_cast<double>(correct) / total : 0;
    for (std::size_t i = 0; i < k; ++i)
        r.labels.push_back({d.labelNames[i], actual[i], predicted[i] ? static_cast<double>(truePositive[i]) / predicted[i] : 0,
                            actual[i] ? static_cast<double>(truePositive[i]) / actual[i] : 0});
    return r;
}

nlohmann::json reportJson(const FineTuneReport& r) {
    nlohmann::json labels = nlohmann::json::array();
    for (const auto& l : r.labels)
        labels.push_back({{"label", l.label}, {"support", l.support}, {"precision", l.precision}, {"recall", l.recall}});
    return {{"steps", r.steps}, {"total_steps", r.totalSteps}, {"train_examples", r.trainExamples},
            {"held_out_examples", r.heldOutExamples}, {"held_out_accuracy", r.heldOutAccuracy}, {"labels", labels}};
}

std::string readWhole(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
}  // namespace

Expected<FineTuneReport> engine::fineTune(const FineTuneConfig& t, const TrainCallback& onProgress) {
    if (auto st = validateFineTuneConfig(t); !st) return st.errorValue();
    const bool tokens = t.task == FineTuneTask::Tokens;
    const fs::path out(t.outDir);
    const std::string from = t.resume ? t.outDir : t.modelDir;  // the resumed run reads its own checkpoint
    auto config = ModelConfig::fromFile((fs::path(from) / "config.json").string());
    if (!config) return config.errorValue();
    if (!config->modelType.empty() && config->modelType != "bert")
        return makeError(ErrorKind::Unsupported, from + ": model_type '" + config->modelType + "' cannot be fine-tuned here (BERT only)");
    if (auto st = checkBertConfig(*config); !st) return st.errorValue();
    auto tokenizer = BertTokenizer::fromFolder(from);
    if (!tokenizer) return tokenizer.errorValue();
    std::vector<std::string> resumedLabels;
    if (t.resume)
        for (const auto& entry : config->id2label) resumedLabels.push_back(entry.second);
    const int maxLen = std::min(t.maxTokens, config->maxPositionEmbeddings);
    auto data = readDataset(t, *tokenizer, maxLen, resumedLabels);
    if (!data) return data.errorValue();

    ModelConfig result = *config;
    result.architectures = {tokens ? "BertForTokenClassification" : "BertForSequenceClassification"};
    result.problemType = tokens ? "" : "single_label_classification";
    result.id2label.clear();
    for (std::size_t i = 0; i < data->labelNames.size(); ++i) result.id2label[static_cast<int>(i)] = data->labelNames[i];

    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) return makeError(ErrorKind::Io, t.outDir + ": cannot create the output folder");
    try {
        auto tensors = CheckpointTensors::openFolder(from);
        if (!tensors) return tensors.errorValue();
        const std::string prefix = tensors->contains("bert.embeddings.word_embeddings.weight") ? "bert." : "";
        configureComputeThreads();
        torch::manual_seed(t.seed);
        BertModel model(result);
        BertClassifierHead head(result.hiddenSize, static_cast<int64_t>(data->labelNames.size()), !tokens);
        training::initWeights(*head);
        if (auto st = loadParameters(*model, *tensors, prefix); !st) return st.errorValue();
        if (head->pooler && tensors->contains(prefix + "pooler.dense.weight"))
            if (auto st = loadParameters(*head->pooler, *tensors, prefix + "pooler.dense."); !st) return st.errorValue();
        if (t.resume)
            if (auto st = loadParameters(*head->classifier, *tensors, "classifier."); !st) return withContext(st.errorValue(), "cannot resume: ");
        Dropout dropout{t.dropout, at::make_generator<at::CPUGeneratorImpl>(t.seed)};

        const auto trainCount = data->train.size();
        const int stepsPerEpoch = static_cast<int>((trainCount + static_cast<std::size_t>(t.batchSize) - 1) / static_cast<std::size_t>(t.batchSize));
        const int totalSteps = stepsPerEpoch * t.epochs;
        auto optimizerPtr = training::makeAdamW({model.get(), head.get()}, t.learningRate, t.weightDecay);
        auto& optimizer = *optimizerPtr;
        training::DataOrder order(t.seed + 1, trainCount);
        double validation = -1;  // the held-out accuracy after the last finished epoch
        int startStep = 0;
        if (t.resume) {
            auto saved = training::loadTrainerState(t.outDir, optimizer);
            if (!saved) return withContext(saved.errorValue(), "cannot resume: ");
            if (auto st = order.fromJson(saved->extra, dropout.generator, trainCount, "data"); !st)
                return withContext(st.errorValue(), "cannot resume: ");
            validation = saved->extra.value("validation", -1.0);
            startStep = saved->step;
        } else {
            // The source's tokenizer files travel with the fine-tuned model.
            if (auto st = tokenizer->vocab().writeFile((out / "vocab.txt").string()); !st) return st.errorValue();
            const auto tokConfig = fs::path(t.modelDir) / "tokenizer_config.json";
            if (fs::exists(tokConfig, ec))
                if (auto st = training::writeTextAtomic((out / "tokenizer_config.json").string(), readWhole(tokConfig)); !st)
                    return st.errorValue();
        }
        if (auto st = training::writeTextAtomic((out / "config.json").string(), result.toJsonText()); !st) return st.errorValue();

        model->setDropout(dropout);
        model->train();
        head->train();
        const auto pad = static_cast<int64_t>(tokenizer->padId() >= 0 ? tokenizer->padId() : 0);
        auto forward = [&](int) -> training::StepOutput {
            // At a new epoch, first validate what the last one learned.
            std::vector<std::size_t> rows{order.next([&] {
                if (!data->heldOut.empty()) validation = evaluate(model, head, *data, tokens, pad, t.batchSize).heldOutAccuracy;
            })};
            while (rows.size() < static_cast<std::size_t>(t.batchSize) && !order.epochDone()) rows.push_back(order.next());
            auto batch = makeBatch(data->train, rows, tokens, pad);
            auto [logits, labels] = logitsOf(model, head, batch, &dropout);
            auto loss = torch::nn::functional::cross_entropy(
                logits, labels, torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kIgnored));
            return {loss, accuracyOf(logits.detach(), labels), static_cast<double>(rows.size())};
        };
        auto save = [&](int step) -> Status {
            SafetensorsWriter writer;
            training::addParameters(writer, *model, "bert.", false);
            if (head->pooler) training::addParameters(writer, *head->pooler, "bert.pooler.dense.", false);
            training::addParameters(writer, *head->classifier, "classifier.", false);
            writer.setMetadata("format", "pt");
            if (auto st = writer.write((out / "model.safetensors").string()); !st) return st;
            auto extra = order.toJson(dropout.generator);
            extra["validation"] = validation;
            return training::saveTrainerState(out.string(), optimizer, step, t.seed, extra);
        };
        const TrainCallback progress = [&](const TrainProgress& p) {
            TrainProgress withValidation = p;
            withValidation.validationAccuracy = validation;
            return !onProgress || onProgress(withValidation);
        };
        training::LoopSettings loop{totalSteps, t.learningRate, t.warmupFraction, t.clipNorm,
                                    t.checkpointEvery > 0 ? t.checkpointEvery : stepsPerEpoch, t.outDir};
        auto steps = training::runTrainingLoop(loop, optimizer, startStep, forward, save, progress);
        if (!steps) return steps.errorValue();
        FineTuneReport report = data->heldOut.empty() ? FineTuneReport{} : evaluate(model, head, *data, tokens, pad, t.batchSize);
        report.steps = *steps;
        report.totalSteps = totalSteps;
        report.trainExamples = static_cast<int>(trainCount);
        report.heldOutExamples = static_cast<int>(data->heldOut.size());
        if (auto st = training::writeTextAtomic((out / "fine_tune_report.json").string(), reportJson(report).dump(2)); !st)
            return st.errorValue();
        return report;
    } catch (const std::exception& e) {
        return makeError(ErrorKind::Internal, describeTorchError(e));
    }
}

}  // namespace ascope
