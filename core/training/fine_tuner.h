#pragma once
// Fine-tuning a BERT-family checkpoint for a task (the deck's fine-tuning slide, made real): a
// sequence classifier (BertForSequenceClassification: the pooler and a new classifier on top)
// from sentences with labels, or a token classifier (BertForTokenClassification) from words with
// tags. A seeded held-out split, AdamW with warm-up and linear decay, validation accuracy after
// every epoch, per-label precision and recall at the end, and the result written as a Hugging
// Face folder that TextModel opens. Resumable like the other trainers.
#include <string>
#include <vector>

#include "training/training_progress.h"
#include "util/expected.h"

namespace ascope {

enum class FineTuneTask { Sentence, Tokens };

struct FineTuneConfig {
    std::string modelDir;  // any BERT checkpoint (its masked-LM or classifier head is left behind)
    std::string dataPath;  // labelled sentences (TSV/CSV) or tagged words (CoNLL), training/labelled_data.h
    std::string outDir;
    FineTuneTask task = FineTuneTask::Sentence;
    int epochs = 3;
    int batchSize = 16;
    int maxTokens = 128;     // longer examples are cut (and the model's maximum always applies)
    double learningRate = 5e-5;
    double warmupFraction = 0.1;
    double weightDecay = 0.01;
    double clipNorm = 1.0;
    double dropout = 0.1;
    double heldOutFraction = 0.1;  // a seeded random share of the examples, never trained on
    unsigned seed = 1;
    int checkpointEvery = 0;  // steps; 0: at the end of every epoch
    bool resume = false;      // continue from outDir's checkpoint and trainer_state.json
};

struct LabelMetrics {
    std::string label;
    int support = 0;  // held-out examples (tokens) with this label
    double precision = 0, recall = 0;
};

struct FineTuneReport {
    int steps = 0;          // steps completed (fewer than planned when stopped)
    int totalSteps = 0;
    int trainExamples = 0, heldOutExamples = 0;
    double heldOutAccuracy = 0;  // sentences, or labelled tokens
    std::vector<LabelMetrics> labels;
};

// Checks every value a user can set (also run by fineTune).
Status validateFineTuneConfig(const FineTuneConfig& config);
// Trains; the progress carries the last validation accuracy (TrainProgress::validationAccuracy).
// The report is also written to outDir/fine_tune_report.json.
Expected<FineTuneReport> fineTune(const FineTuneConfig& config, const TrainCallback& onProgress);

}  // namespace ascope
