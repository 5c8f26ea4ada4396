#pragma once
// DistilBERT on BERT's graph. A DistilBERT layer is a BERT layer under other names (q_lin for
// attention.self.query, sa_layer_norm for attention.output.LayerNorm, ffn.lin1 for
// intermediate.dense, ...) without token-type embeddings; its masked-LM head (vocab_transform,
// vocab_layer_norm, vocab_projector) is BERT's, and its sequence classifier's pre_classifier takes
// the place of BERT's pooler with a ReLU instead of tanh. So a DistilBERT checkpoint loads as a
// BERT whose tensors are looked up under DistilBERT's names (torch-free).
#include <string>

namespace ascope {

// The BERT name of a DistilBERT tensor ("distilbert.transformer.layer.0.attention.q_lin.weight" ->
// "bert.encoder.layer.0.attention.self.query.weight"); names it does not know come back unchanged.
std::string bertNameOfDistilBert(const std::string& name);

}  // namespace ascope
