#pragma once
// RoBERTa (and XLM-RoBERTa, CamemBERT) on BERT's graph. A RoBERTa encoder is a BERT encoder
// under the "roberta." prefix; its masked-LM head lm_head.{dense, layer_norm, decoder, bias} is
// BERT's cls.predictions.*; its sequence classifier classifier.{dense, out_proj} is BERT's pooler
// (tanh of a Linear on the first token) and classifier. What differs is outside the tensors: the
// position ids start after the padding id (ModelConfig::positionOffset). Torch-free.
#include <string>

namespace ascope {

// The BERT name of a RoBERTa tensor ("roberta.encoder.layer.0.attention.self.query.weight" ->
// "bert.encoder.layer.0.attention.self.query.weight", "lm_head.layer_norm.weight" ->
// "cls.predictions.transform.LayerNorm.weight"). `prefixed`: the checkpoint's encoder is under
// "roberta." (a task model) rather than bare (RobertaModel), so the pooler gets BERT's prefix too.
// Names it does not know come back unchanged.
std::string bertNameOfRoberta(const std::string& name, bool prefixed);

}  // namespace ascope
