#pragma once
// Internal (includes torch): BERT in LibTorch modules, registered under Hugging Face's
// state-dict names (embeddings.*, encoder.layer.N.*, cls.predictions.*) so loading is a name map.
#include "util/core_internal.h"
#include <functional>
#include <torch/torch.h>
#include <vector>

#include "checkpoint/checkpoint_tensors.h"
#include "checkpoint/model_config.h"
#include "models/activation.h"
#include "models/attention_math.h"
#include "models/packed_linear.h"
#include "models/qkv_projection.h"
#include "models/torch_weights.h"
#include "util/expected.h"

namespace ascope {

class BertLayerImpl : public torch::nn::Module {
public:
    BertLayerImpl(const ModelConfig& config, Activation act, ParameterInit init = ParameterInit::Random);
    // x: [batch, seq, hidden] -> ([batch, seq, hidden], probs [batch, heads, seq, seq]).
    // probsOut (optional): where to write the probabilities, see multiHeadAttention.
    // capture (optional): receives the layer's q, k, v and per-head context (AttentionCapture).
    // realRows (optional, inference only): x's first realRows rows are the tokens, the others
    // padding (padRowsForProducts); mask, probabilities and capture are then the tokens' alone.
    // outputRows (optional): [kept] int64 row indices. Attention still covers every row (its
    // probabilities and capture are whole), but the layer's output is computed at these rows
    // alone, in this order: [batch, kept, hidden].
    std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& x, const torch::Tensor& additiveMask,
                                                    const torch::Tensor& probsOut = {}, const torch::Tensor& headScale = {},
                                                    AttentionCapture* capture = nullptr, int64_t realRows = -1,
                                                    const torch::Tensor& outputRows = {});
    // Packs the weights for inference (done again by an inference forward after weights change).
    // With releaseWeights (models that only run inference) the Linear weights are freed once packed.
    void packForInference(bool releaseWeights = false);
    void setDropout(const Dropout& dropout) { m_dropout = dropout; }

    torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr}, attentionOut{nullptr};
    torch::nn::LayerNorm attentionNorm{nullptr};
    torch::nn::Linear intermediate{nullptr}, output{nullptr};
    torch::nn::LayerNorm outputNorm{nullptr};

private:
    int64_t m_heads;
    Activation m_act;
    Dropout m_dropout;
    QkvProjection m_qkv;
    PackedLinear m_packedAttentionOut, m_packedIntermediate, m_packedOutput;
};
TORCH_MODULE(BertLayer);

struct BertOutputs {
    torch::Tensor lastHidden;                 // [batch, seq, hidden]
    std::vector<torch::Tensor> attentions;    // per layer [batch, heads, seq, seq]
    std::vector<torch::Tensor> hiddenStates;  // embeddings + each layer, [batch, seq, hidden]
};

// Returns false to cancel between layers.
using LayerCallback = std::function<bool(int layer)>;

class BertModelImpl : public torch::nn::Module {
public:
    explicit BertModelImpl(const ModelConfig& config, ParameterInit init = ParameterInit::Random);
    // inputIds, attentionMask: [batch, seq]. Returns no outputs (lastHidden undefined) when cancelled.
    // attentionOut (optional): contiguous [layers, batch, heads, seq, seq] receiving every layer's probabilities.
    // overrides: attention masks and head mask inside every layer (see AttentionOverrides).
    // captures (optional): one AttentionCapture per layer is appended (the step-by-step view).
    // tokenTypeIds (optional): [batch, seq] of 0/1 (sentence A or B); all 0 without them.
    // outputRows (optional, ignored with keepHiddenStates): [kept] int64 token indices, the rows of
    // the output the caller reads. The last layer then computes only those rows past its attention,
    // and lastHidden is [batch, kept, hidden] (kept may be 0).
    BertOutputs forward(const torch::Tensor& inputIds, const torch::Tensor& attentionMask, bool keepHiddenStates,
                        const LayerCallback& onLayer = {}, const torch::Tensor& attentionOut = {},
                        const AttentionOverrides& overrides = {}, std::vector<AttentionCapture>* captures = nullptr,
                        const torch::Tensor& tokenTypeIds = {}, const torch::Tensor& outputRows = {});
    // Runs layers first..last on x ([batch, seq, hidden], the input of layer `first`) and returns
    // the last layer's output, or an undefined tensor when onLayer cancels. The overrides' head
    // mask may be batched ([layers, batch, heads]): each batch entry then has heads of its own.
    // outputRows (optional): as forward's, the rows of the result the caller reads.
    torch::Tensor runLayers(torch::Tensor x, int64_t first, const AttentionOverrides& overrides,
                            const LayerCallback& onLayer = {}, const torch::Tensor& outputRows = {});
    void packForInference(bool releaseWeights = false);
    // Dropout in training mode (embeddings and every layer), drawing from dropout.generator.
    void setDropout(const Dropout& dropout);

    torch::nn::Embedding wordEmbeddings{nullptr}, positionEmbeddings{nullptr}, tokenTypeEmbeddings{nullptr};
    torch::nn::LayerNorm embeddingNorm{nullptr};
    // ALBERT: embeddings.embedding_hidden_mapping_in, [embedding width] -> [hidden]; null otherwise.
    torch::nn::Linear embeddingProjection{nullptr};
    // One entry per layer, in order; ALBERT's layers share the modules of `uniqueLayers`
    // (encoder.layer.G is group G), BERT's are `uniqueLayers` themselves.
    std::vector<BertLayer> layers;
    std::vector<BertLayer> uniqueLayers;

private:
    ModelConfig m_config;
    Dropout m_dropout;
};
TORCH_MODULE(BertModel);

// The masked-language-model head (cls.predictions.*), decoder tied to the word embeddings when absent.
class BertMlmHeadImpl : public torch::nn::Module {
public:
    // With tiedDecoder the decoder weight is not a parameter of the head: set decoderWeight to
    // the word-embedding matrix (shared, as Hugging Face ties them).
    BertMlmHeadImpl(const ModelConfig& config, Activation act, bool tiedDecoder = false,
                    ParameterInit init = ParameterInit::Random);
    // rows: [n, hidden] -> logits [n, vocab]
    torch::Tensor forward(const torch::Tensor& rows);

    torch::nn::Linear transform{nullptr};
    torch::nn::LayerNorm transformNorm{nullptr};
    torch::Tensor decoderWeight, bias;

private:
    Activation m_act;
};
TORCH_MODULE(BertMlmHead);

// The task heads of BertForSequenceClassification (bert.pooler.dense: tanh of a Linear on the
// first token, then classifier) and BertForTokenClassification (classifier on every token).
class BertClassifierHeadImpl : public torch::nn::Module {
public:
    // pooled: a sequence classifier; reluPooler: DistilBERT's pre_classifier (ReLU, not tanh).
    BertClassifierHeadImpl(int64_t hidden, int64_t labels, bool pooled, bool reluPooler = false);
    // lastHidden: [seq, hidden] -> logits [1, labels] (pooled) or [seq, labels].
    torch::Tensor forward(const torch::Tensor& lastHidden);
    // The pooler and its activation: first tokens [batch, hidden] -> [batch, hidden].
    torch::Tensor pool(const torch::Tensor& first);

    torch::nn::Linear pooler{nullptr};  // null for token classification
    torch::nn::Linear classifier{nullptr};

private:
    bool m_relu = false;
};
TORCH_MODULE(BertClassifierHead);

// Builds a BERT with the head its checkpoint has (masked LM, sequence or token classification,
// or none) and loads it from `tensors`.
struct LoadedBert {
    BertModel model{nullptr};
    BertMlmHead head{nullptr};  // the masked-LM head, null without one
    BertClassifierHead classifier{nullptr};  // sequence or token classification, null without one
    bool tokenClassifier = false;            // classifier labels every token
};
Expected<LoadedBert> loadBert(const ModelConfig& config, const CheckpointTensors& tensors);
// Checks that config.json describes a BERT this build can run (sizes, activation).
Status checkBertConfig(const ModelConfig& config);

}  // namespace ascope
