#!/usr/bin/env python3
"""Golden zlib byte counts for ChunkFeaturesTest: len(zlib.compress(text.encode("utf-8"))),
level 6 (Python's default). Run: python3 extractor/src/test/golden/make_zlib_golden.py"""
import zlib

TEXTS = {
    "empty": "",
    "short": "The harbour lights came on one by one.",
    "repeated": "the tide the tide the tide " * 40,
    "unicode": "Caf\u00e9 \u00e0 la cr\u00e8me \u2014 \u201cna\u00efve\u201d r\u00e9sum\u00e9 \U0001F30A, \u65e5\u672c\u8a9e\u306e\u6587\u7ae0\u3002",
    "pangrams": "".join("Sphinx of black quartz, judge my vow %d. " % i for i in range(60)),
}
for name, text in TEXTS.items():
    print(name, len(zlib.compress(text.encode("utf-8"))), len(zlib.compress(text.encode("utf-8"), 6)))
