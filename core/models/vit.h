#pragma once
// Internal (includes torch): Vision Transformer (ViT) and DeiT in LibTorch modules registered
// under Hugging Face's names (embeddings.*, encoder.layer.N.attention.attention.*, layernorm,
// classifier), pre-norm layers returning their attention probabilities.
#include "util/core_internal.h"
#include <torch/torch.h>
#include <vector>

#include "checkpoint/checkpoint_tensors.h"
#include "checkpoint/model_config.h"
#include "models/activation.h"
#include "models/bert.h"
#include "models/packed_linear.h"
#include "models/qkv_projection.h"
#include "util/expected.h"

namespace ascope {

class VitLayerImpl : public torch::nn::Module {
public:
    VitLayerImpl(const ModelConfig& config, Activation act, ParameterInit init = ParameterInit::Random);
    // x: [batch, seq, hidden] -> ([batch, seq, hidden], probs [batch, heads, seq, seq])
    // realRows (optional, inference only): x's first realRows rows are the tokens, the others
    // padding (padRowsForProducts); mask and probabilities are then the tokens' alone.
    // outputRows (optional): as BertLayerImpl::forward's, the output at these rows alone.
    std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& x, const torch::Tensor& probsOut = {},
                                                    const torch::Tensor& additiveMask = {}, const torch::Tensor& headScale = {},
                                                    int64_t realRows = -1, const torch::Tensor& outputRows = {});
    // Packs the weights for inference (done again by an inference forward after weights change).
    // With releaseWeights (models that only run inference) the Linear weights are freed once packed.
    void packForInference(bool releaseWeights = false);

    torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr}, attentionOut{nullptr};
    torch::nn::Linear intermediate{nullptr}, output{nullptr};
    torch::nn::LayerNorm normBefore{nullptr}, normAfter{nullptr};

private:
    int64_t m_heads;
    Activation m_act;
    QkvProjection m_qkv;
    PackedLinear m_packedAttentionOut, m_packedIntermediate, m_packedOutput;
};
TORCH_MODULE(VitLayer);

class VitModelImpl : public torch::nn::Module {
public:
    // prefixTokens: 1 for ViT ([CLS]), 2 for DeiT ([CLS] + distillation).
    VitModelImpl(const ModelConfig& config, int prefixTokens, ParameterInit init = ParameterInit::Random);
    // pixels: [batch, channels, H, W] -> final normalised hidden states [batch, 1 + prefix..., hidden].
    // With keepLayerInputs, out.hiddenStates holds each layer's input (entry 0: the embeddings).
    // outputRows (optional): [kept] int64 token indices the caller reads; the last layer computes
    // only those rows past its attention, and lastHidden is [batch, kept, hidden].
    BertOutputs forward(const torch::Tensor& pixels, const LayerCallback& onLayer = {},
                        const torch::Tensor& attentionOut = {}, const AttentionOverrides& overrides = {},
                        bool keepLayerInputs = false, const torch::Tensor& outputRows = {});
    // Runs layers first..last on x ([batch, tokens, hidden], the input of layer `first`) and returns
    // the final normalised hidden states, or an undefined tensor when onLayer cancels. The head
    // mask may be batched ([layers, batch, heads]), as for BertModelImpl::runLayers.
    torch::Tensor runLayers(torch::Tensor x, int64_t first, const AttentionOverrides& overrides,
                            const LayerCallback& onLayer = {}, const torch::Tensor& outputRows = {});
    int prefixTokens() const { return m_prefix; }
    int gridSize() const { return m_grid; }

    torch::Tensor clsToken, distillationToken, positionEmbeddings;
    torch::nn::Conv2d patchProjection{nullptr};
    std::vector<VitLayer> layers;
    torch::nn::LayerNorm finalNorm{nullptr};

private:
    int m_prefix;
    int m_grid;
};
TORCH_MODULE(VitModel);

struct LoadedVit {
    VitModel model{nullptr};
    // Classifier heads: ViT/DeiT "classifier" on token 0; DeiT-with-teacher averages
    // cls_classifier (token 0) and distillation_classifier (token 1). Empty for bare models.
    torch::nn::Linear classifier{nullptr}, distillationClassifier{nullptr};
};
Expected<LoadedVit> loadVit(const ModelConfig& config, const CheckpointTensors& tensors);

}  // namespace ascope
