#!/usr/bin/env bash
# Fine-tunes the demo BERT into the demo entity tagger, resources/models/demo-ner (no downloads):
# resources/data/ner-demo.conll (3,000 template sentences with PER/ORG/LOC tags written for this
# project by scripts/build-ner-data.py), 2 epochs; about a minute on the 2-core reference machine.
# Set INSTALL=1 to copy the result into resources/.
exec "$(dirname "$0")/fine-tune-demo.sh" demo-ner build-ner-data.py resources/data/ner-demo.conll tokens 2
