#!/usr/bin/env bash
# Reproduces resources/models/demo-bert: builds the corpus from Debian packages plus the project's
# sentence generator, trains a small BERT with attention-scope-cli, and copies the result into
# resources/. The schedule is laid out for 7000 steps; the shipped model stops at step 2500
# (STOP_AFTER), about 45 minutes of training on the 2-core reference machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
dpkg-query -W wordnet-base fortunes >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q wordnet-base fortunes; }
work=${WORK:-/tmp/ascope-demo-bert}
mkdir -p "$work"
bash scripts/build.sh >/dev/null
python3 scripts/build-demo-corpus.py "$work/corpus.txt" --seed 1 --generated 120000
build/app/attention-scope-cli train-mlm --corpus "$work/corpus.txt" --out "$work/model" \
  --layers 4 --hidden 256 --heads 8 --intermediate 1024 --vocab-size 8000 --max-tokens 64 \
  --batch-tokens 4096 --steps 7000 --stop-after ${STOP_AFTER:-2500} --lr 1e-3 --dropout 0.1 --seed 1 \
  --checkpoint-every 500
build/app/attention-scope-cli convert --model "$work/model" --out "$work/model-f16" --dtype f16
build/app/attention-scope-cli eval-mlm --model "$work/model-f16" --corpus "$work/corpus.txt" --lines 3000
mkdir -p resources/models/demo-bert
cp "$work/model-f16"/{config.json,vocab.txt,tokenizer_config.json,model.safetensors} resources/models/demo-bert/
