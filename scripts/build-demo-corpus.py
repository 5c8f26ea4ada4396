#!/usr/bin/env python3
"""Builds the demo BERT's training corpus (one sentence per line) from redistributable text:
WordNet 3.0 glosses and example sentences (Debian package wordnet-base, WordNet licence), the
fortune cookie files (package fortunes, public domain / freely redistributable), and sentences
from the template generator below (this project's own). Deterministic for a given --seed.

Usage: build-demo-corpus.py OUT.txt [--seed 1] [--generated 120000]
"""
import argparse
import glob
import os
import random
import re

WORDNET = "/usr/share/wordnet"
FORTUNES = "/usr/share/games/fortunes"


def wordnet_sentences():
    out = []
    for name in ("data.noun", "data.verb", "data.adj", "data.adv"):
        path = os.path.join(WORDNET, name)
        if not os.path.exists(path):
            continue
        with open(path, encoding="latin-1") as f:
            for line in f:
                if line.startswith("  ") or "|" not in line:
                    continue
                gloss = line.split("|", 1)[1].strip()
                for part in gloss.split(";"):
                    part = part.strip()
                    if part.startswith('"'):
                        s = part.strip('"').strip()
                        if len(s.split()) >= 3:
                            out.append(s[0].upper() + s[1:] + ("" if s[-1] in ".!?" else "."))
                    elif len(part.split()) >= 4:
                        out.append(part[0].upper() + part[1:] + ".")
    return out


def fortune_sentences():
    out = []
    for path in sorted(glob.glob(os.path.join(FORTUNES, "*"))):
        if "." in os.path.basename(path) or os.path.isdir(path):
            continue
        if os.path.basename(path) in ("art", "ascii-art", "off"):
            continue
        try:
            text = open(path, encoding="utf-8", errors="ignore").read()
        except OSError:
            continue
        for entry in text.split("\n%\n"):
            if re.search(r"[|_\\/]{3,}|  {4,}\S", entry):  # skip ASCII art and tables
                continue
            flat = " ".join(entry.split())
            flat = re.sub(r"\s--\s.*$", "", flat)  # drop attributions
            for s in re.split(r"(?<=[.!?])\s+", flat):
                words = s.split()
                if 4 <= len(words) <= 40 and s.isascii():
                    out.append(s)
    return out


# ---- the template generator: simple, true-to-the-world sentences for the teaching presets ----
CAPITALS = {
    "france": "paris", "germany": "berlin", "italy": "rome", "spain": "madrid", "england": "london",
    "japan": "tokyo", "china": "beijing", "russia": "moscow", "egypt": "cairo", "greece": "athens",
    "portugal": "lisbon", "ireland": "dublin", "austria": "vienna", "poland": "warsaw", "norway": "oslo",
    "sweden": "stockholm", "denmark": "copenhagen", "finland": "helsinki", "canada": "ottawa",
    "australia": "canberra", "india": "delhi", "kenya": "nairobi", "peru": "lima", "cuba": "havana",
    "mexico": "mexico city", "argentina": "buenos aires", "turkey": "ankara", "hungary": "budapest",
    "belgium": "brussels", "thailand": "bangkok", "iran": "tehran", "iraq": "baghdad", "chile": "santiago",
}
SKY = [("sun", "is", ["shining brightly", "shining", "rising", "setting", "glowing"]),
       ("moon", "is", ["shining brightly", "glowing softly", "rising", "full tonight", "shining"]),
       ("stars", "are", ["shining brightly", "twinkling", "shining"]),
       ("bird", "is", ["flying high", "singing", "flying"]), ("plane", "is", ["flying high", "flying"]),
       ("clouds", "are", ["drifting slowly", "moving", "gathering"]), ("rainbow", "is", ["shining", "glowing"])]
SKY_PLACES = ["in the sky", "in the blue sky", "in the night sky", "high in the sky", "in the morning sky"]
JUMPERS = ["fox", "cat", "dog", "horse", "rabbit", "boy", "girl", "deer", "frog", "cow", "kangaroo", "squirrel"]
JUMP_ADJ = ["quick", "brown", "little", "big", "young", "small", "happy", "quick brown", "black", "white"]
OBSTACLES = ["the lazy dog", "the fence", "the wall", "the log", "the river", "the gate", "the sleeping cat",
             "the puddle", "the rock", "the lazy cat", "the moon"]
WEATHER = ["sunny", "cold", "warm", "hot", "rainy", "windy", "cloudy", "nice", "beautiful", "terrible", "lovely",
           "perfect", "snowy", "foggy", "mild", "wet", "bad", "good", "great"]
WHEN = ["today", "this morning", "tomorrow", "this afternoon", "yesterday", "tonight", "outside"]
ACTIVITIES = ["play", "walk", "run", "read", "sing", "dance", "swim", "draw", "paint", "write", "cook", "sleep",
              "relax", "jog", "eat", "talk", "sit"]
PLACES = ["in the park", "at home", "in the garden", "at the beach", "in the forest", "at school", "in the city",
          "by the lake", "in the sun", "in the rain", "with my friends"]
COLORS = [("sky", "blue"), ("grass", "green"), ("snow", "white"), ("sun", "yellow"), ("banana", "yellow"),
          ("sea", "blue"), ("night", "dark"), ("coal", "black"), ("rose", "red"), ("blood", "red"),
          ("orange", "orange"), ("leaf", "green"), ("milk", "white"), ("tomato", "red"), ("lemon", "yellow"),
          ("ocean", "blue"), ("cloud", "white"), ("chocolate", "brown"), ("carrot", "orange")]
JOBS = [("doctor", "works at the hospital"), ("teacher", "works at the school"), ("chef", "cooks in the kitchen"),
        ("farmer", "works on the farm"), ("pilot", "flies the plane"), ("baker", "bakes bread"),
        ("nurse", "works at the hospital"), ("driver", "drives the bus"), ("judge", "works at the court"),
        ("waiter", "works at the restaurant"), ("student", "studies at the university"),
        ("fisherman", "catches fish in the sea"), ("writer", "writes books"), ("singer", "sings songs"),
        ("police officer", "works at the police station"), ("firefighter", "puts out the fire")]
SOUNDS = [("dog", "barks"), ("cat", "meows"), ("cow", "moos"), ("lion", "roars"), ("bird", "sings"),
          ("duck", "quacks"), ("horse", "neighs"), ("sheep", "bleats"), ("owl", "hoots"), ("snake", "hisses"),
          ("wolf", "howls"), ("pig", "grunts"), ("bee", "buzzes")]
FOODS = ["bread", "milk", "eggs", "apples", "cheese", "coffee", "tea", "rice", "fruit", "vegetables", "meat",
         "fish", "sugar", "butter", "juice", "water", "soup", "chocolate"]
OPPOSITES = [("hot", "cold"), ("big", "small"), ("up", "down"), ("day", "night"), ("black", "white"),
             ("fast", "slow"), ("old", "young"), ("happy", "sad"), ("good", "bad"), ("light", "dark"),
             ("early", "late"), ("rich", "poor"), ("open", "closed"), ("wet", "dry"), ("left", "right")]
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]
NUMBERS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
PEOPLE = ["she", "he", "my mother", "my father", "the girl", "the boy", "my friend", "the old man", "my sister",
          "my brother", "the woman", "the man", "the children", "we", "they", "i"]
SEASONS = [("summer", "hot"), ("winter", "cold"), ("spring", "warm"), ("autumn", "cool")]
ANIMAL_HOMES = [("bird", "nest"), ("bee", "hive"), ("dog", "kennel"), ("horse", "stable"), ("fish", "water"),
                ("spider", "web"), ("rabbit", "burrow"), ("cow", "barn"), ("pig", "sty"), ("lion", "den")]


def cap(s):
    return s[0].upper() + s[1:]


def generated(rng, n):
    makers = []

    def sky():
        thing, verb, how = rng.choice(SKY)
        return f"The {thing} {verb} {rng.choice(how)} {rng.choice(SKY_PLACES)}."
    makers.append(sky)

    def jump():
        verb = rng.choice(["jumped", "jumps", "leaped", "ran", "jumped"])
        return f"The {rng.choice(JUMP_ADJ)} {rng.choice(JUMPERS)} {verb} over {rng.choice(OBSTACLES)}."
    makers.append(jump)

    def weather():
        w, when = rng.choice(WEATHER), rng.choice(WHEN)
        return rng.choice([f"The weather {when} is {w}.", f"The weather is {w} {when}.", f"It is {w} {when}.",
                           f"The weather today is {w}.", f"It was a {w} day."])
    makers.append(weather)

    def activity():
        a, p = rng.choice(ACTIVITIES), rng.choice(PLACES)
        return rng.choice([f"I love to {a} {p}.", f"We like to {a} {p}.", f"The children love to {a} {p}.",
                           f"{cap(rng.choice(PEOPLE))} likes to {a} {p}.", f"I want to {a} {p}."])
    makers.append(activity)

    def capital():
        country, city = rng.choice(list(CAPITALS.items()))
        return rng.choice([f"The capital of {country} is {city}.", f"{cap(city)} is the capital of {country}.",
                           f"{cap(city)} is a big city in {country}.", f"The capital city of {country} is {city}.",
                           f"We visited {city}, the capital of {country}."])
    makers.append(capital)

    def color():
        thing, c = rng.choice(COLORS)
        return rng.choice([f"The {thing} is {c}.", f"The color of the {thing} is {c}.", f"The {thing} was {c}."])
    makers.append(color)

    def job():
        who, what = rng.choice(JOBS)
        return f"The {who} {what}."
    makers.append(job)

    def sound():
        animal, s = rng.choice(SOUNDS)
        return rng.choice([f"The {animal} {s}.", f"The {animal} {s} loudly.", f"The {animal} {s} at night."])
    makers.append(sound)

    def shop():
        return f"{cap(rng.choice(PEOPLE))} went to the {rng.choice(['store', 'shop', 'market'])} to buy {rng.choice(FOODS)}."
    makers.append(shop)

    def opposite():
        a, b = rng.choice(OPPOSITES)
        if rng.random() < 0.5:
            a, b = b, a
        return f"The opposite of {a} is {b}."
    makers.append(opposite)

    def calendar():
        i = rng.randrange(7)
        j = rng.randrange(12)
        return rng.choice([f"{cap(DAYS[(i + 1) % 7])} comes after {DAYS[i]}.", f"{cap(DAYS[i])} comes before {DAYS[(i + 1) % 7]}.",
                           f"{cap(MONTHS[(j + 1) % 12])} comes after {MONTHS[j]}.", "There are seven days in a week.",
                           "There are twelve months in a year.", f"Today is {DAYS[i]}."])
    makers.append(calendar)

    def count():
        i = rng.randrange(11)
        return rng.choice([f"{cap(NUMBERS[i])} plus one is {NUMBERS[i + 1]}.", f"After {NUMBERS[i]} comes {NUMBERS[i + 1]}."])
    makers.append(count)

    def season():
        s, t = rng.choice(SEASONS)
        return rng.choice([f"In {s} the weather is {t}.", f"{cap(s)} is usually {t}.", f"It is {t} in {s}."])
    makers.append(season)

    def home():
        a, h = rng.choice(ANIMAL_HOMES)
        return f"The {a} lives in the {h}."
    makers.append(home)

    return [rng.choice(makers)() for _ in range(n)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--generated", type=int, default=120000)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    lines = wordnet_sentences() + fortune_sentences() + generated(rng, args.generated)
    lines = [" ".join(l.split()) for l in lines if l.strip()]
    rng.shuffle(lines)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{len(lines)} lines written to {args.out}")


if __name__ == "__main__":
    main()
