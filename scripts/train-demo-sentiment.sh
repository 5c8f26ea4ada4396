#!/usr/bin/env bash
# Fine-tunes the demo BERT into the demo sentiment model, resources/models/demo-sentiment (no
# downloads): resources/data/sentiment-demo.tsv (6,000 template sentences written for this
# project by scripts/build-sentiment-data.py, POSITIVE/NEGATIVE, balanced), 3 epochs; about 2
# minutes on the 2-core reference machine. Set INSTALL=1 to copy the result into resources/.
exec "$(dirname "$0")/fine-tune-demo.sh" demo-sentiment build-sentiment-data.py resources/data/sentiment-demo.tsv sentence 3
