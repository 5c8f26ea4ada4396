#!/usr/bin/env python3
"""Writes resources/data/sentiment-demo.tsv: short English sentences with a POSITIVE or NEGATIVE
label, generated from templates and word lists written for this project (no outside text), for
fine-tuning the demo BERT into the demo sentiment model. Deterministic (fixed seed).

The sentences are simple on purpose: a teaching example of fine-tuning, not a sentiment corpus.
"""
import random
import sys

DETERMINERS = ["the", "this", "that", "our", "my", "their"]
NOUNS = ["film", "movie", "book", "food", "meal", "service", "hotel", "room", "staff", "music", "concert", "game",
         "weather", "trip", "class", "lecture", "teacher", "song", "story", "show", "phone", "car", "garden", "view",
         "coffee", "bread", "team", "ending", "design", "play", "museum", "beach", "train ride", "park", "guide",
         "soup", "city", "camera", "album", "course", "restaurant", "holiday", "evening", "party", "lesson",
         "novel", "dinner", "breakfast", "flight", "shop", "apartment", "bike", "school", "festival", "match",
         "pizza", "cake", "salad", "village", "river walk", "waiter", "doctor", "neighbour", "house", "job"]
POSITIVE = ["good", "great", "wonderful", "excellent", "lovely", "pleasant", "delightful", "beautiful",
            "fantastic", "superb", "enjoyable", "brilliant", "charming", "friendly", "fresh", "clean", "warm",
            "perfect", "amazing", "nice", "splendid", "cheerful", "comfortable", "tasty", "marvellous", "kind",
            "helpful", "delicious", "fun", "exciting", "relaxing", "gorgeous", "impressive", "fine", "happy"]
NEGATIVE = ["bad", "terrible", "awful", "horrible", "boring", "dull", "poor", "disappointing", "unpleasant",
            "dirty", "rude", "stale", "ugly", "weak", "slow", "noisy", "sad", "painful", "dreadful", "tedious",
            "broken", "bland", "miserable", "annoying", "useless", "filthy", "unfriendly", "expensive", "confusing",
            "cold", "greasy", "crowded", "unhelpful", "awkward", "nasty", "horrid"]
ADVERBS = ["", "", "", "really ", "very ", "truly ", "quite ", "so ", "rather ", "extremely ", "a bit "]
FRAMES = ["{s} was {a}{j} .", "{s} was {a}{j} !", "{s} looks {a}{j} .", "{s} tasted {a}{j} .", "{s} felt {a}{j} .",
          "what a {a}{j} day .", "it was {a}{j} .", "the whole thing was {a}{j} .", "{s} has been {a}{j} .", "{s} is {a}{j} .", "i thought {s} was {a}{j} .", "honestly , {s} was {a}{j} .",
          "we found {s} {a}{j} .", "everyone said {s} was {a}{j} .", "{s} seemed {a}{j} to me .",
          "in the end {s} was {a}{j} ."]
LIKE = ["i loved {s} .", "we enjoyed {s} a lot .", "i would recommend {s} to anyone .", "{s} made my day .",
        "i really liked {s} .", "we will come back for {s} .", "{s} was worth every penny .", "i love {s} .",
        "thank you for {s} , we had a great time .", "{s} exceeded our hopes .", "best {n} ever .",
        "i could not stop smiling .", "we had a wonderful time .", "i am so happy with {s} ."]
DISLIKE = ["i hated {s} .", "we did not enjoy {s} at all .", "i would not recommend {s} to anyone .",
           "{s} ruined my day .", "i really disliked {s} .", "we will never come back for {s} .",
           "{s} was a waste of money .", "i hate {s} .", "{s} let us down .", "worst {n} ever .",
           "never again .", "what a waste of time .", "i want my money back .", "i am very unhappy with {s} ."]
NEGATED = ["{s} was not {j} .", "{s} was not {j} at all .", "i did not think {s} was {j} ."]


def subjects(rng):
    return [f"{rng.choice(DETERMINERS)} {n}" for n in NOUNS for _ in range(2)]


def sentences(rng):
    out = []
    for s in subjects(rng):
        for f in FRAMES:
            for a in ADVERBS:
                out += [(f.format(s=s, a=a, j=j), "POSITIVE") for j in POSITIVE]
                out += [(f.format(s=s, a=a, j=j), "NEGATIVE") for j in NEGATIVE]
        n = s.split(" ", 1)[1]
        out += [(f.format(s=s, n=n), "POSITIVE") for f in LIKE] * 4
        out += [(f.format(s=s, n=n), "NEGATIVE") for f in DISLIKE] * 4
        # "not good" is negative; "not bad" is left out (it is only mildly positive).
        out += [(f.format(s=s, j=j), "NEGATIVE") for f in NEGATED for j in POSITIVE]
    return out


def main(path):
    rng = random.Random(20261203)
    every = sorted(set(sentences(rng)))  # distinct sentences, so none is both trained on and held out
    pos = [x for x in every if x[1] == "POSITIVE"]
    neg = [x for x in every if x[1] == "NEGATIVE"]
    chosen = rng.sample(pos, 3000) + rng.sample(neg, 3000)
    rng.shuffle(chosen)
    with open(path, "w", encoding="utf-8") as f:
        f.write("text\tlabel\n")
        for text, label in chosen:
            text = text[0].upper() + text[1:]
            f.write(f"{text}\t{label}\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "resources/data/sentiment-demo.tsv")
