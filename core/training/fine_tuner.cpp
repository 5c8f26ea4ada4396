// The engine's fine-tuner (training/fine_tuner.h): a BERT-family encoder from any checkpoint
// (BERT, DistilBERT, ALBERT, RoBERTa, XLM-R), a new classifier head, the shared training loop; the
// result is saved under the family's own names (checkpoint/bert_family_layout.h).
#include "training/fine_tuner.h"

#include <ATen/CPUGeneratorImpl.h>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "checkpoint/bert_family_layout.h"
#include "checkpoint/checkpoint_tensors.h"
#include "engine/engine_functions.h"
#include "models/bert.h"
#include "models/torch_weights.h"
#include "tokenizer/tokenizer_loader.h"
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

// The words joined by spaces and encoded as one text (so BPE and SentencePiece see word starts as
// they do in use), with the word each token belongs to: the word its span falls in, or for a
// token of spaces only (a lone "Ġ" or "▁" before a word) the word it starts. -1: the start and
// end tokens.
std::pair<std::vector<Token>, std::vector<int>> encodeWords(const TextTokenizer& tok, const std::vector<std::string>& words) {
    std::string text;
    std::vector<std::pair<std::size_t, std::size_t>> spans;  // each word's bytes in `text`
    for (const auto& word : words) {
        if (!text.empty()) text += ' ';
        spans.emplace_back(text.size(), text.size() + word.size());
        text += word;
    }
    auto tokens = tok.encode(text);
    std::vector<int> wordOf;
    std::size_t w = 0;
    for (const auto& token : tokens) {
        while (w < spans.size() && spans[w].second <= token.byteBegin) ++w;
        const bool inWord = token.byteEnd > token.byteBegin && w < spans.size() && spans[w].first < token.byteEnd;
        // A word start of its own: an empty span at the word's first byte, or spaces before it.
        const bool marker = !token.special && w < spans.size() && token.byteEnd <= spans[w].first &&
                            (token.byteBegin == token.byteEnd ? token.byteBegin == spans[w].first
                                                              : text.find_first_not_of(' ', token.byteBegin) >= token.byteEnd);
        wordOf.push_back(inWord || marker ? static_cast<int>(w) : -1);
    }
    return {std::move(tokens), std::move(wordOf)};
}

// Examples of the file's sentences or tagged words, split with the seed.
Expected<Dataset> readDataset(const FineTuneConfig& t, const TextTokenizer& tok, int maxLen,
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
        // Each sentence's tokens and the word each belongs to (-1: none), then the label set: the
        // data's tags, and I-X wherever a B-X word has later pieces to continue it.
        std::vector<std::vector<Token>> encoded;
        std::vector<std::vector<int>> wordOf;
        for (const auto& r : *rows) {
            auto [tokens, words] = encodeWords(tok, r.words);
            for (std::size_t i = 0; i < tokens.size(); ++i) {
                const int w = words[i];
                if (w < 0) continue;
                const auto& tag = r.tags[static_cast<std::size_t>(w)];
                const bool later = i > 0 && words[i - 1] == w;
                names.push_back(later && tag.rfind("B-", 0) == 0 ? "I-" + tag.substr(2) : tag);
            }
            encoded.push_back(std::move(tokens));
            wordOf.push_back(std::move(words));
        }
        if (auto st = index(labelSet(names, true)); !st) return st.errorValue();
        for (std::size_t s = 0; s < rows->size(); ++s) {
            Example e;
            const auto& words = wordOf[s];
            for (std::size_t i = 0; i < words.size(); ++i) {
                e.ids.push_back(encoded[s][i].id);
                const int w = words[i];
                if (w < 0) {
                    e.labels.push_back(kIgnored);
                    continue;
                }
                const auto& tag = (*rows)[s].tags[static_cast<std::size_t>(w)];
                const bool later = i > 0 && words[i - 1] == w;
                e.labels.push_back(ids.at(later ? continuationTag(tag, ids) : tag));  // later pieces continue (I-)
            }
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
        auto pooled = head->pool(hidden.select(1, 0));  // [batch, hidden], the first token
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

// The files of a Hugging Face tokenizer that a fine-tuned model takes from its source.
constexpr const char* kTokenizerFiles[] = {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                                           "added_tokens.json", "vocab.txt", "vocab.json", "merges.txt",
                                           "sentencepiece.bpe.model", "spiece.model"};

// The source's config.json with the task model's architecture, labels and problem type: every
// other key (the family's own, such as DistilBERT's sinusoidal_pos_embds) is kept as it was.
Expected<std::string> taskConfigText(const std::string& from, const ModelConfig& task) {
    const auto path = fs::path(from) / "config.json";
    nlohmann::json j = nlohmann::json::parse(readWhole(path), nullptr, false);
    if (!j.is_object()) return makeError(ErrorKind::InvalidInput, path.string() + ": not a JSON object");
    j["architectures"] = task.architectures;
    if (task.problemType.empty()) j.erase("problem_type");
    else j["problem_type"] = task.problemType;
    nlohmann::json id2label = nlohmann::json::object(), label2id = nlohmann::json::object();
    for (const auto& [id, label] : task.id2label) {
        id2label[std::to_string(id)] = label;
        label2id[label] = id;
    }
    j["id2label"] = id2label;
    j["label2id"] = label2id;
    return j.dump(2) + "\n";
}
}  // namespace

Expected<FineTuneReport> engine::fineTune(const FineTuneConfig& t, const TrainCallback& onProgress) {
    if (auto st = validateFineTuneConfig(t); !st) return st.errorValue();
    const bool tokens = t.task == FineTuneTask::Tokens;
    const fs::path out(t.outDir);
    const std::string from = t.resume ? t.outDir : t.modelDir;  // the resumed run reads its own checkpoint
    auto config = ModelConfig::fromFile((fs::path(from) / "config.json").string());
    if (!config) return config.errorValue();
    if (!config->isBertFamily() || config->isVision())
        return makeError(ErrorKind::Unsupported, from + ": model_type '" + config->modelType +
                         "' cannot be fine-tuned here (BERT, DistilBERT, ALBERT, RoBERTa and XLM-R can)");
    if (auto st = checkBertConfig(*config); !st) return st.errorValue();
    auto tokenizer = loadTokenizer(from, *config);
    if (!tokenizer) return tokenizer.errorValue();
    std::vector<std::string> resumedLabels;
    if (t.resume)
        for (const auto& entry : config->id2label) resumedLabels.push_back(entry.second);
    const int maxLen = std::min(t.maxTokens, config->maxTokens());
    if (maxLen < 3) return makeError(ErrorKind::InvalidInput, from + ": the model takes too few positions to fine-tune");
    auto data = readDataset(t, **tokenizer, maxLen, resumedLabels);
    if (!data) return data.errorValue();

    ModelConfig result = *config;
    result.architectures = {architectureStem(*config) + (tokens ? "ForTokenClassification" : "ForSequenceClassification")};
    result.problemType = tokens ? "" : "single_label_classification";
    result.id2label.clear();
    for (std::size_t i = 0; i < data->labelNames.size(); ++i) result.id2label[static_cast<int>(i)] = data->labelNames[i];
    auto configText = taskConfigText(from, result);
    if (!configText) return configText.errorValue();

    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) return makeError(ErrorKind::Io, t.outDir + ": cannot create the output folder");
    try {
        auto tensors = CheckpointTensors::openFolder(from);
        if (!tensors) return tensors.errorValue();
        const auto familyNames = familyNamesOfTaskModel(result, tensors->names(), !tokens);
        renameToBertLayout(*tensors, result);
        const std::string prefix = tensors->contains("bert.embeddings.word_embeddings.weight") ? "bert." : "";
        configureComputeThreads();
        torch::manual_seed(t.seed);
        BertModel model(result);
        BertClassifierHead head(result.hiddenSize, static_cast<int64_t>(data->labelNames.size()), !tokens,
                                result.poolerActivation == "relu");
        training::initWeights(*head);
        for (const auto& item : model->named_parameters(true))  // every tensor saved has a name in the family's layout
            if (!familyNames.count("bert." + item.key()))
                return makeError(ErrorKind::InvalidInput, from + ": the checkpoint has no " + architectureStem(result) +
                                 " tensor for the encoder's '" + item.key() + "'");
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
            for (const char* name : kTokenizerFiles) {
                const auto file = fs::path(t.modelDir) / name;
                if (fs::exists(file, ec))
                    if (auto st = training::writeTextAtomic((out / name).string(), readWhole(file)); !st) return st.errorValue();
            }
        }
        if (auto st = training::writeTextAtomic((out / "config.json").string(), *configText); !st) return st.errorValue();

        model->setDropout(dropout);
        model->train();
        head->train();
        const auto pad = static_cast<int64_t>((*tokenizer)->padId() >= 0 ? (*tokenizer)->padId() : 0);
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
            SafetensorsWriter writer;  // under the family's names
            const auto rename = [&](const std::string& bertName) {
                const auto found = familyNames.find(bertName);
                return found == familyNames.end() ? bertName : found->second;
            };
            training::addParameters(writer, *model, "bert.", false, rename);
            if (head->pooler) training::addParameters(writer, *head->pooler, "bert.pooler.dense.", false, rename);
            training::addParameters(writer, *head->classifier, "classifier.", false, rename);
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
