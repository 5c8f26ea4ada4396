// attention-scope-cli: the headless face of Attention Scope (same core as the GUI).
#include <QtGlobal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/image_commands.h"
#include "cli/text_commands.h"
#include "cli/train_commands.h"

namespace {
const char* kUsage = R"(attention-scope-cli: look inside transformer models from the command line

Usage:
  attention-scope-cli predict   --model DIR --text TEXT [--top-k 5] [--json] [CONTROLS] [WINDOWS]
  attention-scope-cli tokenize  --model DIR --text TEXT [--json]
  attention-scope-cli attention --model DIR --text TEXT [--layer L] [--head H]
                                --format csv|json|npy --out FILE [CONTROLS] [WINDOWS]
  attention-scope-cli head-stats --model DIR --text TEXT [--json]
  attention-scope-cli head-importance --model DIR --text TEXT [--json] [--top 10] [CONTROLS]
  attention-scope-cli layers    --model DIR --text TEXT [--top-k 5] [--json] [CONTROLS]
  attention-scope-cli classify-text --model DIR --text TEXT [--top-k 5] [--json] [CONTROLS] [WINDOWS]
  attention-scope-cli tag       --model DIR --text TEXT [--json] [CONTROLS] [WINDOWS]
  attention-scope-cli classify  --model DIR --image FILE [--top-k 5] [--json] [CONTROLS]
  attention-scope-cli attention --model DIR --image FILE [--layer L] [--head H]
                                --format csv|json|npy --out FILE [CONTROLS]
  attention-scope-cli train-mlm --corpus FILE --out DIR [--layers 4 --hidden 256 --heads 4
                                --intermediate 1024 --steps 10000 --seed 1 --vocab-size 8000
                                --max-tokens 64 --batch-tokens 4096 --lr 1e-3 --dropout 0.1
                                --checkpoint-every 1000 --stop-after N] [--resume] [--half]
  attention-scope-cli fine-tune --model DIR --data FILE --task sentence|tokens --out DIR
                                [--epochs 3 --lr 5e-5 --seed 1 --batch 16 --max-tokens 128
                                --held-out 0.1 --warmup 0.1 --dropout 0.1 --checkpoint-every N
                                --stop-after N] [--resume]
  attention-scope-cli eval-mlm  --model DIR --corpus FILE [--lines 2000] [--seed 1234]
  attention-scope-cli train-vit-shapes --out DIR [--image-size 48 --patch-size 8 --layers 3
                                --hidden 64 --heads 4 --steps 3000 --batch 64 --seed 1 --lr 5e-4]
                                [--resume]
  attention-scope-cli eval-vit-shapes --model DIR [--count 1000] [--seed 1]
  attention-scope-cli convert   --model DIR --out DIR [--dtype f16|bf16|f32]
  attention-scope-cli --help | --version

DIR is a Hugging Face model folder (config.json, vocab.txt, tokenizer.json or preprocessor_config.json,
model.safetensors or pytorch_model.bin, or their sharded .index.json). Images: PNG, JPEG, BMP, PPM, GIF and the other formats Qt reads.
--text-pair B (predict, attention, classify-text, tag, tokenize, head-stats, head-importance, layers) runs
  the pair [CLS] TEXT [SEP] B [SEP] with token types 0 and 1; offsets then count from the start of
  TEXT, B starting one character (a line break) after it.
CONTROLS put a mask inside scaled dot-product attention and switch heads off:
  --attention-mask none|causal|block:I,J,...|FILE.json   (FILE.json: a T x T matrix of 0/1,
      or an object of them keyed "all", "L" or "L:H"; a disallowed score gets float32's minimum)
  --ablate L:H,L:H,...   (L:* for a whole layer; Hugging Face head_mask semantics)
WINDOWS run a long text in overlapping windows (Hugging Face's max_length and stride):
  --window N   tokens per window, its start and end tokens included (default: the model's maximum)
  --stride S   tokens shared by consecutive windows (default: 256, or half a window if less);
  the last window ends with the text, so all are as long. Each mask is predicted, and each token
  tagged, by the window where it sits most centrally; classify-text averages the windows' scores;
  attention's NPY gains a leading window axis, its JSON a "windows" list, its CSV a window column.
head-importance: the drop in each [MASK]'s top-1 probability when one head alone is switched off
(a sentence classifier: its top label's; a token classifier: each entity token's tag; JSON "target"
says which: "masks", "sentence" or "tokens").
classify-text: the labels of a sequence classifier (BertForSequenceClassification), highest first.
tag: each token's label from a token classifier (BertForTokenClassification) and the entity spans
  grouped as Hugging Face's aggregation_strategy="simple"; JSON offsets count Unicode code points.
fine-tune: a sequence classifier from TSV (text<TAB>label) or CSV (a header with text and label),
  or a token classifier from CoNLL (token<TAB>tag, a blank line between sentences); writes a
  Hugging Face folder (BertFor...Classification) and fine_tune_report.json. Ctrl+C stops cleanly
  after writing a checkpoint; --resume continues it.
layers: the masked-LM head applied after every layer ("after_layer" -1 is the embeddings).
Without --model the built-in demo model is used. Layers and heads count from 0;
without --layer/--head every layer and head is exported.
Errors print one line on stderr and exit with status 1.
)";
}  // namespace

int main(int argc, char** argv) {
    // Image decoders report through Qt's message handler; the CLI's contract is one line per
    // error, so their chatter is dropped unless ASCOPE_DEBUG is set.
    if (!std::getenv("ASCOPE_DEBUG")) qInstallMessageHandler([](QtMsgType, const QMessageLogContext&, const QString&) {});
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::fputs(kUsage, args.empty() ? stderr : stdout);
        return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
        std::printf("attention-scope-cli %s\n", ASCOPE_VERSION);
        return 0;
    }
    const std::string command = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    for (const auto& a : rest)
        if (a == "--help" || a == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        }
    try {
        if (command == "predict") return ascope::cli::runPredict(rest);
        if (command == "tokenize") return ascope::cli::runTokenize(rest);
        if (command == "attention") {
            for (const auto& a : rest)
                if (a == "--image" || a.rfind("--image=", 0) == 0) return ascope::cli::runImageAttention(rest);
            return ascope::cli::runAttention(rest);
        }
        if (command == "classify-text") return ascope::cli::runClassifyText(rest);
        if (command == "tag") return ascope::cli::runTag(rest);
        if (command == "classify") return ascope::cli::runClassify(rest);
        if (command == "convert") return ascope::cli::runConvert(rest);
        if (command == "head-stats") return ascope::cli::runHeadStats(rest);
        if (command == "head-importance") return ascope::cli::runHeadImportance(rest);
        if (command == "layers") return ascope::cli::runLayers(rest);
        if (command == "fine-tune") return ascope::cli::runFineTune(rest);
        if (command == "train-mlm") return ascope::cli::runTrainMlm(rest);
        if (command == "eval-mlm") return ascope::cli::runEvalMlm(rest);
        if (command == "train-vit-shapes") return ascope::cli::runTrainVitShapes(rest);
        if (command == "eval-vit-shapes") return ascope::cli::runEvalVitShapes(rest);
    } catch (const std::exception& e) {
        return ascope::cli::fail(std::string("internal error: ") + e.what());
    }
    return ascope::cli::fail("unknown command '" + command + "' (see --help)");
}
