#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, generated (never committed): Samples/ cut into small
pieces, the rules' examples, the dev corpus's lines, and the rule files themselves.

usage: seeds.py OUTDIR   (writes OUTDIR/FuzzFramer, OUTDIR/FuzzJSONLine, OUTDIR/FuzzRuleLoader, OUTDIR/FuzzSparse)
"""
import glob
import hashlib
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def put(directory, data):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def main():
    out = sys.argv[1]
    framer, jsonl, rules = (os.path.join(out, t) for t in ("FuzzFramer", "FuzzJSONLine", "FuzzRuleLoader"))
    for path in sorted(glob.glob(os.path.join(ROOT, "Samples", "*.log"))):
        with open(path, "rb") as f:
            lines = f.read().split(b"\n")
        for i in range(0, len(lines), 6):  # pieces of 6 lines; the first byte picks the chunk size
            put(framer, bytes([i % 64]) + b"\n".join(lines[i:i + 6]))
        for line in lines:
            if line.startswith(b"{"):
                put(jsonl, line)
    for path in sorted(glob.glob(os.path.join(ROOT, "Rules", "*", "*.yaml"))):
        with open(path, "rb") as f:
            text = f.read()
        put(rules, text)
        # Examples as framer input and, wrapped, as JSON log lines.
        for block in text.split(b"- text: |-\n")[1:]:
            example = b"\n".join(l.strip() for l in block.split(b"\n")[:3] if l.startswith(b"      "))
            if example:
                put(framer, b"\x07" + example)
                put(jsonl, json.dumps({"message": example.decode("utf-8", "replace"), "level": "ERROR"}).encode())
    corpus = os.path.join(ROOT, "Tests", "Fixtures", "corpus", "litellm-dev.jsonl")
    if os.path.exists(corpus):
        with open(corpus, "rb") as f:
            for line in f:
                entry = json.loads(line)
                put(framer, b"\x03" + entry["line"].encode())
                put(jsonl, json.dumps({"message": entry["line"], "level": "ERROR",
                                       "stacktrace": "Traceback (most recent call last):\n  File \"x.py\", line 1"}).encode())
    # The gated scan path gets the framer's inputs (its first byte also picks the block size)
    # and JSON log lines, some with escapes, between quiet lines.
    sparse = os.path.join(out, "FuzzSparse")
    for name in os.listdir(framer):
        with open(os.path.join(framer, name), "rb") as f:
            put(sparse, f.read())
    for name in sorted(os.listdir(jsonl))[:200]:
        with open(os.path.join(jsonl, name), "rb") as f:
            put(sparse, b"\x02INFO:     127.0.0.1:1 - \"GET / HTTP/1.1\" 200 OK\n" + f.read() + b"\n")
    for d in (framer, jsonl, rules, sparse):
        print("seeds: %s: %d files" % (os.path.relpath(d, ROOT), len(os.listdir(d))), file=sys.stderr)


if __name__ == "__main__":
    main()
