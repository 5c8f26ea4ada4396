#!/usr/bin/env bash
# Fine-tunes the demo BERT into the demo entity tagger, resources/models/demo-ner (no downloads):
# resources/data/ner-demo.conll (3,000 template sentences with PER/ORG/LOC tags written for this project
# by scripts/build-ner-data.py), 10% held out with seed 1, 2 epochs of batches of 16, AdamW lr 1e-4
# (10% warm-up, linear decay), dropout 0.1; a few minutes on the 2-core reference machine. Stored as float16.
# Set INSTALL=1 to copy it into resources/models/demo-ner.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${WORK:-/tmp/ascope-demo-ner}
mkdir -p "$work"
bash scripts/build.sh >/dev/null
python3 scripts/build-ner-data.py resources/data/ner-demo.conll
build/app/attention-scope-cli fine-tune --model resources/models/demo-bert --data resources/data/ner-demo.conll \
    --task tokens --out "$work/model" --epochs 2 --lr 1e-4 --seed 1
build/app/attention-scope-cli convert --model "$work/model" --out "$work/half" --dtype f16
[ "${INSTALL:-0}" = 1 ] || exit 0
mkdir -p resources/models/demo-ner
cp "$work/half"/{config.json,model.safetensors,tokenizer_config.json,vocab.txt} resources/models/demo-ner/
cp "$work/model/fine_tune_report.json" resources/models/demo-ner/
