#!/usr/bin/env python3
"""Writes resources/data/ner-demo.conll: short English sentences with PER / ORG / LOC entity tags
(CoNLL style, token<TAB>tag, BIO), generated from templates and name lists written for this project
(no outside text), for fine-tuning the demo BERT into the demo entity tagger. Deterministic.

A teaching example of token classification, not a named-entity corpus: the names are a few dozen
common first names, surnames, cities and organisation names, the sentences a handful of patterns.
"""
import random
import sys

FIRST = ["anna", "peter", "maria", "john", "lucy", "omar", "sofia", "james", "emma", "david", "laura", "paul",
         "ahmed", "chen", "yuki", "elena", "carlos", "fatima", "ivan", "grace", "samuel", "nina", "tom", "hannah"]
LAST = ["smith", "jones", "garcia", "brown", "miller", "wilson", "taylor", "clark", "martin", "lopez", "khan",
        "novak", "berg", "rossi", "weber", "kim"]
CITIES = ["paris", "london", "berlin", "madrid", "rome", "vienna", "oslo", "dublin", "lisbon", "prague", "tokyo",
          "cairo", "lima", "toronto", "sydney", "nairobi", "chicago", "warsaw", "athens", "boston"]
COUNTRIES = ["france", "germany", "spain", "italy", "japan", "kenya", "canada", "brazil", "india", "norway"]
ORGS = ["google", "the united nations", "oxford university", "the red cross", "siemens", "unesco",
        "the world bank", "nasa", "the city council", "acme corporation", "the national library", "fifa"]
FRAMES = [
    "{P} lives in {L} .", "{P} works for {O} in {L} .", "yesterday {P} visited {L} .",
    "{O} opened an office in {L} .", "{P} met {P} at {O} .", "{P} was born in {L} , {L} .",
    "the meeting in {L} was led by {P} .", "{O} hired {P} last year .", "{P} and {P} flew to {L} .",
    "{P} said that {O} will move to {L} .", "we saw {P} near the station in {L} .",
    "a spokesperson for {O} thanked {P} .", "{P} studied at {O} before moving to {L} .",
    "the weather in {L} was cold today .", "{O} announced new plans on monday .", "my friend {P} loves {L} .",
]


def person(rng):
    names = [rng.choice(FIRST)] + ([rng.choice(LAST)] if rng.random() < 0.6 else [])
    return [(n, ("B-" if k == 0 else "I-") + "PER") for k, n in enumerate(names)]


def span(words, kind):
    return [(w, ("B-" if k == 0 else "I-") + kind) for k, w in enumerate(words.split())]


def main(path):
    rng = random.Random(20261203)
    lines = []
    for _ in range(3000):
        for word in rng.choice(FRAMES).split():
            if word == "{P}":
                tagged = person(rng)
            elif word == "{L}":
                tagged = span(rng.choice(CITIES + COUNTRIES), "LOC")
            elif word == "{O}":
                tagged = span(rng.choice(ORGS), "ORG")
            else:
                tagged = [(word, "O")]
            lines += [f"{w}\t{t}" for w, t in tagged]
        lines.append("")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "resources/data/ner-demo.conll")
