#pragma once
// ALBERT on BERT's graph. ALBERT's embeddings are narrower (embedding_size) and mapped to the
// hidden size by encoder.embedding_hidden_mapping_in; its layers share the weights of
// num_hidden_groups groups (usually one), each a BERT layer under other names (attention.query
// for attention.self.query, ffn for intermediate.dense, full_layer_layer_norm for
// output.LayerNorm, ...); its masked-LM head (predictions.*) is BERT's with the transform mapping
// the hidden size down to embedding_size; the pooler is one Linear. So an ALBERT checkpoint loads
// as a BERT with shared layers whose tensors are looked up under ALBERT's names (torch-free).
#include <string>

namespace ascope {

// The BERT name of an ALBERT tensor ("albert.encoder.albert_layer_groups.0.albert_layers.0.ffn.weight"
// -> "bert.encoder.layer.0.intermediate.dense.weight": group G is BERT layer G; the mapping in
// becomes "bert.embeddings.embedding_hidden_mapping_in.*"); names it does not know come back unchanged.
std::string bertNameOfAlbert(const std::string& name);

}  // namespace ascope
