#!/usr/bin/env bash
# Trains the demo image model, resources/models/demo-vit (no downloads; the data set is generated).
# Recipe: coloured shapes (circle, square, triangle, star, cross, ring) on cluttered backgrounds,
# 48x48 images in 8x8 patches (36 tokens + [CLS]), ViT with 3 layers, hidden 64, 4 heads,
# intermediate 256; batches of 64 fresh images per step, AdamW lr 5e-4 (5% warm-up, linear decay),
# weight decay 0.05, clipping 1.0, seed 1.
# The shipped model was trained in two legs, reproduced here: the first 10413 steps of a
# 40000-step schedule (1 thread, about 14 minutes), then resumed on a 25000-step schedule so the
# learning rate decays sooner (2 threads, about 20 minutes) on the 2-core reference machine.
# Set INSTALL=1 to copy the result into resources/models/demo-vit.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${WORK:-/tmp/ascope-demo-vit}
mkdir -p "$work"
bash scripts/build.sh >/dev/null
recipe=(--out "$work/model" --image-size 48 --patch-size 8 --layers 3 --hidden 64 --heads 4 --batch 64
        --lr 5e-4 --seed 1 --checkpoint-every 1000)
build/app/attention-scope-cli train-vit-shapes "${recipe[@]}" --steps 40000 --stop-after 10413
build/app/attention-scope-cli train-vit-shapes "${recipe[@]}" --steps 25000 --resume
build/app/attention-scope-cli eval-vit-shapes --model "$work/model" --count 2000
[ "${INSTALL:-0}" = 1 ] || exit 0
mkdir -p resources/models/demo-vit
cp "$work/model"/{config.json,preprocessor_config.json,model.safetensors} resources/models/demo-vit/
