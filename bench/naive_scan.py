#!/usr/bin/env python3
"""The naive baseline of issue 19: a Python dict of every 12-gram of the works, then a scan of
every output's 12-grams against it, merged into maximal spans. Whole job in one process,
building its index included. memaudit's own comparison script, not a port of any tool.

usage: naive_scan.py <corpus dir with .txt works> <outputs.jsonl>
"""
import json
import os
import re
import sys

N = 12
WORD = re.compile(r"\w+(?:'\w+)*")


def words(text):
    return WORD.findall(text.lower())


def main():
    corpus, outputs = sys.argv[1], sys.argv[2]
    grams = {}
    for name in sorted(os.listdir(corpus)):
        if not name.endswith(".txt"):
            continue
        w = words(open(os.path.join(corpus, name), encoding="utf-8").read())
        for i in range(len(w) - N + 1):
            grams.setdefault(tuple(w[i:i + N]), (name, i))
    n_out = n_words = n_spans = 0
    with open(outputs, encoding="utf-8") as f:
        for line in f:
            w = words(json.loads(line)["text"])
            n_out += 1
            n_words += len(w)
            run = False
            for i in range(len(w) - N + 1):
                hit = tuple(w[i:i + N]) in grams
                if hit and not run:
                    n_spans += 1
                run = hit
    print("%d outputs, %d words, %d spans, %d grams indexed" % (n_out, n_words, n_spans, len(grams)))


if __name__ == "__main__":
    main()
