#pragma once
// The BERT family's checkpoints on one graph: BERT, DistilBERT, ALBERT and RoBERTa (XLM-R,
// CamemBERT) store the same tensors under their own names (distilbert_layout.h, albert_layout.h,
// roberta_layout.h). This file picks the family's name map for reading, and goes the other way
// for writing: the family's own name of each BERT-named tensor of a task model, so a fine-tuned
// RoBERTa is saved as a RobertaForSequenceClassification Hugging Face would read. Torch-free.
#include <map>
#include <string>
#include <vector>

#include "checkpoint/checkpoint_tensors.h"
#include "checkpoint/model_config.h"
#include "util/expected.h"

namespace ascope {

// Renames a family checkpoint's tensors to BERT's names (what loadBert reads); BERT's stay.
void renameToBertLayout(CheckpointTensors& tensors, const ModelConfig& config);

// "Bert", "DistilBert", "Albert", "Roberta", "XLMRoberta" or "Camembert": the start of the
// family's Hugging Face class names ("RobertaForSequenceClassification").
std::string architectureStem(const ModelConfig& config);

// For a task model built on a checkpoint of this family: the family's name of every BERT-named
// tensor the model saves ("bert.encoder.layer.0.attention.self.query.weight" ->
// "roberta.encoder.layer.0.attention.self.query.weight"; RoBERTa's sequence classifier
// "bert.pooler.dense.weight" -> "classifier.dense.weight", "classifier.weight" ->
// "classifier.out_proj.weight"). sourceNames: the source checkpoint's tensor names as stored
// (with or without the family's prefix); its own task heads are left out. sequenceHead: the
// pooler + classifier of ...ForSequenceClassification, else the token classifier.
std::map<std::string, std::string> familyNamesOfTaskModel(const ModelConfig& config,
                                                          const std::vector<std::string>& sourceNames, bool sequenceHead);

}  // namespace ascope
