#!/usr/bin/env python3
"""Builds the whole-process scan case of issue 19 (memaudit's own benchmark input).

Writes into OUT: corpus/ (the first 10 books of the background corpus.yaml, listed in a
corpus.yaml of their own) and outputs.jsonl: 12,000 outputs of about 290 words each (3.5 M words,
about 20 MB), each a window of one of the other books; one output in three carries a planted
passage of 20-80 words copied from an indexed book. Deterministic (seed 19). The texts are read
from the shared corpus at run time and written only under OUT, never into the repository.

usage: make_scan_case.py <background dir> <out dir>
"""
import json
import os
import random
import re
import sys

BOOKS = 10
OUTPUTS = 12000
WORDS = 290


def main():
    src, out = sys.argv[1], sys.argv[2]
    entries = [l for l in open(os.path.join(src, "corpus.yaml"), encoding="utf-8") if l.strip().startswith("- {")]
    paths = [re.search(r"path: ([^}\s]+)", e).group(1) for e in entries]
    os.makedirs(os.path.join(out, "corpus"), exist_ok=True)
    with open(os.path.join(out, "corpus", "corpus.yaml"), "w", encoding="utf-8") as y:
        y.write("works:\n")
        for e, p in zip(entries[:BOOKS], paths[:BOOKS]):
            y.write(e if e.endswith("\n") else e + "\n")
            with open(os.path.join(src, p), encoding="utf-8") as f:
                text = f.read()
            with open(os.path.join(out, "corpus", p), "w", encoding="utf-8") as f:
                f.write(text)
    members = [open(os.path.join(src, p), encoding="utf-8").read().split() for p in paths[:BOOKS]]
    others = [open(os.path.join(src, p), encoding="utf-8").read().split() for p in paths[BOOKS:]]
    rnd = random.Random(19)
    planted = 0
    with open(os.path.join(out, "outputs.jsonl"), "w", encoding="utf-8") as o:
        for i in range(OUTPUTS):
            book = rnd.choice(others)
            at = rnd.randrange(len(book) - WORDS)
            words = book[at:at + WORDS]
            if i % 3 == 0:
                work = rnd.choice(members)
                n = rnd.randint(20, 80)
                w = rnd.randrange(len(work) - n)
                cut = rnd.randrange(WORDS - n)
                words = words[:cut] + work[w:w + n] + words[cut + n:]
                planted += 1
            o.write(json.dumps({"id": "out-%05d" % i, "text": " ".join(words)}) + "\n")
    print("wrote %d outputs (%d with a planted passage) to %s" % (OUTPUTS, planted, out))


if __name__ == "__main__":
    main()
