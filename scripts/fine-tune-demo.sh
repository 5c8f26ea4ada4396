#!/usr/bin/env bash
# Shared by train-demo-sentiment.sh and train-demo-ner.sh: regenerates a data file with its
# generator, fine-tunes the demo BERT on it (AdamW lr 1e-4, 10% warm-up, linear decay, dropout 0.1,
# batches of 16, a tenth held out with seed 1), stores the result as float16, and with INSTALL=1
# copies it into resources/models/NAME.
# Usage: fine-tune-demo.sh NAME GENERATOR DATA TASK EPOCHS
set -euo pipefail
name=$1 generator=$2 data=$3 task=$4 epochs=$5
cd "$(dirname "$0")/.."
work=${WORK:-/tmp/ascope-$name}
mkdir -p "$work"
bash scripts/build.sh >/dev/null
python3 "scripts/$generator" "$data"
build/app/attention-scope-cli fine-tune --model resources/models/demo-bert --data "$data" \
    --task "$task" --out "$work/model" --epochs "$epochs" --lr 1e-4 --seed 1
build/app/attention-scope-cli convert --model "$work/model" --out "$work/half" --dtype f16
[ "${INSTALL:-0}" = 1 ] || exit 0
mkdir -p "resources/models/$name"
cp "$work/half"/{config.json,model.safetensors,tokenizer_config.json,vocab.txt} "resources/models/$name/"
cp "$work/model/fine_tune_report.json" "resources/models/$name/"
