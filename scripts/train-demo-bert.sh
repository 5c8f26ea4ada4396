#!/usr/bin/env bash
# Reproduces resources/models/demo-bert: builds the corpus from Debian packages plus the project's
# sentence generator, trains a small BERT with attention-scope-cli, and copies the result into
# resources/. Took about 70 minutes on the 2-core reference machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
dpkg-query -W wordnet-base fortunes >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q wordnet-base fortunes; }
work=${WORK:-/tmp/ascope-demo-bert}
mkdir -p "$work"
python3 scripts/build-demo-corpus.py "$work/corpus.txt" --seed 1 --generated 120000
build/app/attention-scope-cli train-mlm --corpus "$work/corpus.txt" --out "$work/model" \
  --layers 4 --hidden 256 --heads 8 --intermediate 1024 --vocab-size 8000 --max-tokens 64 \
  --batch-tokens 4096 --steps ${STEPS:-7000} --lr 1e-3 --dropout 0.1 --seed 1 --checkpoint-every 500 --half
build/app/attention-scope-cli eval-mlm --model "$work/model" --corpus "$work/corpus.txt" --lines 3000
mkdir -p resources/models/demo-bert
cp "$work/model"/{config.json,vocab.txt,tokenizer_config.json,model.safetensors} resources/models/demo-bert/
