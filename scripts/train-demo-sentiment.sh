#!/usr/bin/env bash
# Fine-tunes the demo BERT into the demo sentiment model, resources/models/demo-sentiment (no
# downloads): resources/data/sentiment-demo.tsv (6,000 template sentences written for this
# project by scripts/build-sentiment-data.py, POSITIVE/NEGATIVE, balanced), 10% held out with
# seed 1, 3 epochs of batches of 16, AdamW lr 1e-4 (10% warm-up, linear decay), dropout 0.1;
# about 2 minutes on the 2-core reference machine. The result is stored as float16.
# Set INSTALL=1 to copy it into resources/models/demo-sentiment.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${WORK:-/tmp/ascope-demo-sentiment}
mkdir -p "$work"
bash scripts/build.sh >/dev/null
python3 scripts/build-sentiment-data.py resources/data/sentiment-demo.tsv
build/app/attention-scope-cli fine-tune --model resources/models/demo-bert --data resources/data/sentiment-demo.tsv \
    --task sentence --out "$work/model" --epochs 3 --lr 1e-4 --seed 1
build/app/attention-scope-cli convert --model "$work/model" --out "$work/half" --dtype f16
[ "${INSTALL:-0}" = 1 ] || exit 0
mkdir -p resources/models/demo-sentiment
cp "$work/half"/{config.json,model.safetensors,tokenizer_config.json,vocab.txt} resources/models/demo-sentiment/
cp "$work/model/fine_tune_report.json" resources/models/demo-sentiment/
