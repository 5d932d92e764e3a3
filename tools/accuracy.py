#!/usr/bin/env python3
"""Accuracy of the shipped catalogue on a labelled corpus.

Each corpus entry (JSON line with "line" and "class") is written to its own file and fed on
its own to `logwatch scan --json`. The entry's predicted class is the class of the first
record matched by a rule (or `unknown` when only the unknown-error detector fired); an entry
with no output is `none`. Prints per-class precision and recall, a confusion table and every
miss. Exit status 1 when any error entry is misclassified or any benign entry is flagged.
"""
import argparse, collections, json, os, subprocess, sys, tempfile

CLASSES = ["auth", "quota", "model", "runtime", "deploy", "none"]

def predict_all(binary, texts, rules):
    """One `scan --json` over one file per entry: each file is framed on its own."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, text in enumerate(texts):
            path = os.path.join(tmp, f"entry-{i:05d}.log")
            with open(path, "w") as f:
                f.write(text if text.endswith("\n") else text + "\n")
            paths.append(path)
        cmd = [binary, "scan", "--json"] + paths + sum((["--rules", r] for r in rules), [])
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        by_source = collections.defaultdict(list)
        for l in out.splitlines():
            if l.strip():
                record = json.loads(l)
                by_source[record["source"]].append(record)
        return [predict(by_source[p]) for p in paths]

def predict(records):
    ruled = [r for r in records if r["class"] != "unknown"]
    if ruled:
        return ruled[0]["class"], ruled[0]["rule"]
    if records:
        return "unknown", "unknown"
    return "none", "-"

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=".build/debug/logwatch")
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                    "Tests", "Fixtures", "corpus", "litellm-dev.jsonl"))
    ap.add_argument("--rules", action="append", default=[])
    ap.add_argument("--quiet", action="store_true", help="only the table")
    args = ap.parse_args()
    entries = [json.loads(l) for l in open(args.corpus) if l.strip()]
    confusion = collections.Counter()
    misses = []
    predictions = predict_all(args.bin, [e["line"] for e in entries], args.rules)
    for e, (got, rule) in zip(entries, predictions):
        want = e["class"]
        confusion[(want, got)] += 1
        if got != want:
            misses.append((want, got, rule, e.get("signature", ""), e["line"][:140]))
    cols = CLASSES + ["unknown"]
    print(f"{len(entries)} entries from {args.corpus}\n")
    print("expected \\ got  " + " ".join(f"{c:>8}" for c in cols))
    for want in CLASSES:
        print(f"{want:>14}  " + " ".join(f"{confusion[(want, c)]:>8}" for c in cols))
    print()
    print(f"{'class':>8} {'precision':>10} {'recall':>8} {'support':>8}")
    for c in CLASSES[:-1]:
        tp = confusion[(c, c)]
        predicted = sum(confusion[(w, c)] for w in CLASSES)
        support = sum(confusion[(c, g)] for g in cols)
        p = tp / predicted if predicted else 1.0
        r = tp / support if support else 1.0
        print(f"{c:>8} {p:>10.1%} {r:>8.1%} {support:>8}")
    errors = [e for e in entries if e["class"] != "none"]
    correct = sum(confusion[(c, c)] for c in CLASSES[:-1])
    benign = [e for e in entries if e["class"] == "none"]
    flagged = sum(confusion[("none", g)] for g in cols if g != "none")
    print(f"\nerror entries in their class: {correct}/{len(errors)} ({correct / max(1, len(errors)):.1%})")
    print(f"benign entries flagged: {flagged}/{len(benign)}")
    if misses and not args.quiet:
        print("\nmisses:")
        for want, got, rule, sig, line in misses:
            print(f"  want {want:<8} got {got:<8} ({rule}) [{sig}] {line!r}")
    return 1 if misses else 0

if __name__ == "__main__":
    sys.exit(main())
