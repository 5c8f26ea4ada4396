// BertTextModel::headImportance: every head switched off alone, batched layer by layer.
#include "inference/head_importance.h"

#include "inference/attention_overrides.h"
#include "inference/head_ablation_sweep.h"
#include "inference/bert_text_model.h"
#include "models/torch_weights.h"

namespace ascope {

// What every head-importance sweep starts from: the run's own attention controls and its full
// forward (each layer's input kept), with one progress counter over all layer passes.
struct ImportanceRun {
    AppliedAttentionControls applied;
    AttentionOverrides overrides;
    BertOutputs base;
    LayerCallback step;

    HeadAblationSweep sweep() const { return HeadAblationSweep{&applied, &overrides, &base.hiddenStates, {}, step}; }
};

Expected<HeadImportance> BertTextModel::headImportance(std::vector<Token> tokens, const TextRunOptions& options,
                                                   const std::function<bool(int, int)>& onProgress) const {
    const int real = static_cast<int>(tokens.size());
    const int padding = options.attentionMask.active() ? std::max(0, options.attentionMask.padding) : 0;
    auto ids = inputIds(tokens, std::string(), padding);
    if (!ids) return ids.errorValue();
    std::vector<int64_t> maskPositions;
    if (!m_bert.classifier) {
        if (!m_bert.head) return makeError(ErrorKind::Unsupported, m_dir + ": this checkpoint has no masked-LM head");
        maskPositions = maskIndices(tokens, real);
        if (maskPositions.empty())
            return makeError(ErrorKind::InvalidInput, "the text has no [MASK] token: head importance measures how much each "
                                                      "head matters to a [MASK]'s prediction");
    }
    const int n = static_cast<int>(tokens.size()), layers = m_config.numLayers, heads = m_config.numHeads;

    std::lock_guard<std::mutex> lock(m_mutex);
    try {
        torch::InferenceMode guard;
        ImportanceRun run;
        auto overrides = prepareAttentionOverrides(options.attentionMask, options.ablate, layers, heads, real, run.applied);
        if (!overrides) return overrides.errorValue();
        run.overrides = *overrides;
        // Progress counts layer passes: the full forward's, then layers l..L-1 for each layer l.
        int done = 0;
        const int total = layers + layers * (layers + 1) / 2;
        run.step = [&](int) { return !onProgress || onProgress(++done, total); };
        auto input = torch::tensor(*ids, torch::kLong).view({1, n});  // [batch=1, seq]
        run.base = m_bert.model->forward(input, torch::Tensor(), true, run.step, {}, run.overrides, nullptr, tokenTypes(tokens));
        if (!run.base.lastHidden.defined()) return cancelledError();
        if (m_bert.classifier) return classifierHeadImportance(tokens, real, run);
        return maskedLmHeadImportance(maskPositions, run);
    } catch (const std::exception& e) {
        return makeError(ErrorKind::Internal, describeTorchError(e));
    }
}

Expected<HeadImportance> BertTextModel::maskedLmHeadImportance(const std::vector<int64_t>& maskPositions,
                                                               const ImportanceRun& run) const {
    const int layers = m_config.numLayers, heads = m_config.numHeads;
    const auto masks = static_cast<int64_t>(maskPositions.size());
    auto pos = torch::tensor(maskPositions, torch::kLong);
    auto baseProbs = torch::softmax(m_bert.head->forward(run.base.lastHidden[0].index_select(0, pos)), -1);  // [masks, vocab]
    auto answers = baseProbs.argmax(-1);  // [masks]

    HeadImportance result;
    result.layers = layers;
    result.heads = heads;
    for (int64_t m = 0; m < masks; ++m) {
        HeadImportance::Mask mask;
        mask.position = static_cast<int>(maskPositions[static_cast<std::size_t>(m)]);
        const int id = static_cast<int>(answers[m].item<int64_t>());
        mask.answer = predictionOf(id, baseProbs[m][id].item<float>());
        mask.probability.assign(static_cast<std::size_t>(layers) * heads, mask.answer.probability);  // drop 0 unless tested
        result.masks.push_back(std::move(mask));
    }
    auto sweep = run.sweep();
    sweep.answerProbabilities = [&](const torch::Tensor& x, int l, const AttentionOverrides& batched) -> torch::Tensor {
        auto last = m_bert.model->runLayers(x, l, batched, run.step, pos);  // [batch, masks, hidden]: the [MASK] rows alone
        if (!last.defined()) return {};
        const int64_t batch = x.size(0);
        auto rows = last.reshape({batch * masks, m_config.hiddenSize});  // [batch * masks, hidden]
        auto probs = torch::softmax(m_bert.head->forward(rows), -1).view({batch, masks, -1});  // [batch, masks, vocab]
        return probs.gather(2, answers.view({1, masks, 1}).expand({batch, masks, 1})).squeeze(2);  // [batch, masks]
    };
    if (!sweepHeadAblations(sweep, result)) return cancelledError();
    return result;
}

Expected<HeadImportance> BertTextModel::classifierHeadImportance(const std::vector<Token>& tokens, int real,
                                                                 const ImportanceRun& run) const {
    const int layers = m_config.numLayers, heads = m_config.numHeads;
    const bool tokenLevel = m_bert.tokenClassifier;
    // As classify(): sigmoid for multi-label or one output, else softmax.
    const bool sigmoid = !tokenLevel && (m_config.problemType == "multi_label_classification" ||
                                         m_bert.classifier->classifier->weight.size(0) == 1);
    auto scoresOf = [sigmoid](const torch::Tensor& logits) { return sigmoid ? torch::sigmoid(logits) : torch::softmax(logits, -1); };

    // The answers' rows: the first token's (pooled) for a sentence, else each entity token's.
    std::vector<int64_t> positions;
    // [batch, positions' rows, hidden] -> [batch, rows, labels]
    auto scoresAt = [&](const torch::Tensor& rowsRead) -> torch::Tensor {
        auto& head = m_bert.classifier;
        if (!tokenLevel) return scoresOf(head->classifier(head->pool(rowsRead.select(1, 0)))).unsqueeze(1);  // [batch, 1, labels]
        return scoresOf(head->classifier(rowsRead));  // [batch, rows, labels]
    };
    HeadImportance result;
    result.layers = layers;
    result.heads = heads;
    result.target = tokenLevel ? HeadImportance::Target::Tokens : HeadImportance::Target::Sentence;
    if (tokenLevel) {
        auto best = scoresOf(m_bert.classifier->classifier(run.base.lastHidden[0].narrow(0, 0, real))).argmax(-1);  // [real]
        for (int i = 0; i < real; ++i) {
            if (!isAddedToken(tokens[static_cast<std::size_t>(i)]) && m_config.labelName(static_cast<int>(best[i].item<int64_t>())) != "O") positions.push_back(i);
        }
        if (positions.empty())
            return makeError(ErrorKind::InvalidInput, "no token is tagged as part of an entity: head importance measures how "
                                                      "much each head matters to a token's tag");
    } else {
        positions.push_back(0);
    }
    const auto positionRows = torch::tensor(positions, torch::kLong);                      // [rows]
    auto baseScores = scoresAt(run.base.lastHidden.index_select(1, positionRows))[0];  // [rows, labels]
    auto answers = baseScores.argmax(-1);                    // [rows]
    const auto rows = static_cast<int64_t>(positions.size());
    for (int64_t r = 0; r < rows; ++r) {
        HeadImportance::Mask answer;
        answer.position = static_cast<int>(positions[static_cast<std::size_t>(r)]);
        const int id = static_cast<int>(answers[r].item<int64_t>());
        const std::string label = m_config.labelName(id);
        answer.answer = TokenPrediction{label, id, baseScores[r][id].item<float>(), {}};
        answer.probability.assign(static_cast<std::size_t>(layers) * heads, answer.answer.probability);
        result.masks.push_back(std::move(answer));
    }
    auto sweep = run.sweep();
    sweep.answerProbabilities = [&](const torch::Tensor& x, int l, const AttentionOverrides& batched) -> torch::Tensor {
        // The last layer computes the answers' rows alone: [batch, rows, hidden].
        auto last = m_bert.model->runLayers(x, l, batched, run.step, positionRows);
        if (!last.defined()) return {};
        auto scores = scoresAt(last);  // [batch, rows, labels]
        const int64_t batch = x.size(0);
        return scores.gather(2, answers.view({1, rows, 1}).expand({batch, rows, 1})).squeeze(2);  // [batch, rows]
    };
    if (!sweepHeadAblations(sweep, result)) return cancelledError();
    return result;
}

bool sweepHeadAblations(const HeadAblationSweep& sweep, HeadImportance& result) {
    const int layers = sweep.applied->layers, heads = sweep.applied->heads;
    result.layers = layers;
    result.heads = heads;
    result.alreadyOff.assign(static_cast<std::size_t>(layers) * heads, 0);
    const auto& overrides = *sweep.overrides;
    auto baseHeadMask = overrides.headMask.defined() ? overrides.headMask : torch::ones({layers, heads});  // [layers, heads]
    for (int l = 0; l < layers; ++l) {
        std::vector<int> tested;
        for (int h = 0; h < heads; ++h) {
            if (sweep.applied->isAblated(l, h)) result.alreadyOff[static_cast<std::size_t>(l) * heads + h] = 1;
            else tested.push_back(h);
        }
        if (tested.empty()) {  // nothing to switch off here: the progress still counts its passes
            for (int i = l; i < layers; ++i)
                if (!sweep.step(i)) return false;
            continue;
        }
        const auto batch = static_cast<int64_t>(tested.size());
        // Batch entry b runs with head tested[b] of layer l off, on top of the run's own head mask.
        auto headMask = baseHeadMask.unsqueeze(1).repeat({1, batch, 1});  // [layers, batch, heads]
        for (int64_t b = 0; b < batch; ++b) headMask[l][b][tested[static_cast<std::size_t>(b)]] = 0.f;
        const AttentionOverrides batched{overrides.additiveMask, headMask};
        auto input = (*sweep.layerInputs)[static_cast<std::size_t>(l)].expand({batch, -1, -1}).contiguous();  // [batch, tokens, hidden]
        auto picked = sweep.answerProbabilities(input, l, batched);  // [batch, answers]
        if (!picked.defined()) return false;
        picked = picked.contiguous();
        ++result.forwards;
        for (int64_t b = 0; b < batch; ++b)
            for (std::size_t m = 0; m < result.masks.size(); ++m)
                result.masks[m].probability[static_cast<std::size_t>(l) * heads + tested[static_cast<std::size_t>(b)]] =
                    picked[b][static_cast<int64_t>(m)].item<float>();
    }
    return true;
}

}  // namespace ascope
