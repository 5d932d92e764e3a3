#!/usr/bin/env python3
"""logwatch's LiteLLM error code against LiteLLM's own, request by request.

The real-LiteLLM harness (tools/litellm-live) writes, beside every captured log
`<release>/<format>/<scenario>.log`, the verdicts LiteLLM's logging callback recorded for the same
requests: `<scenario>.verdict.jsonl`, one row per failed call with `litellm_call_id` and (on
releases that compute it) `normalized_error` and `error_rate_limit_category`. This tool scans each
log with `logwatch scan --json`, joins logwatch's records to LiteLLM's rows by the request id
(`fields.request_id`, read from `litellm_call_id=` in the log), and prints the agreement figure and
every disagreement. docs/litellm-codes.md says who is right for each kind of disagreement.

Exit status: 1 when verdict files exist but no request could be joined (nothing was compared),
else 0; disagreements are listed, not failed, because some are LiteLLM's (see the doc).
"""
import argparse, collections, glob, json, os, subprocess, sys

def scan(binary, rules, path):
    cmd = [binary, "scan", "--json", path] + (["--rules", rules] if rules else [])
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit(f"logwatch scan failed on {path}: {out.stderr.strip()[:300]}")
    return [json.loads(l) for l in out.stdout.splitlines() if l.strip()]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="Tests/Fixtures/litellm-live")
    ap.add_argument("--bin", default=".build/debug/logwatch")
    ap.add_argument("--rules", default="")
    a = ap.parse_args()
    verdict_files = sorted(glob.glob(os.path.join(a.dir, "**", "*.verdict.jsonl"), recursive=True))
    if not verdict_files:
        print(f"no *.verdict.jsonl under {a.dir}: nothing to compare")
        return 0
    compared = agreed = category_compared = category_agreed = unjoined = 0
    disagreements = collections.Counter()
    lines = []
    for vf in verdict_files:
        rows = [json.loads(l) for l in open(vf) if l.strip()]
        rows = [r for r in rows if r.get("normalized_error")]
        log = vf[: -len(".verdict.jsonl")] + ".log"
        if not rows or not os.path.exists(log):
            continue
        ours = collections.defaultdict(list)
        for rec in scan(a.bin, a.rules, log):
            rid = (rec.get("fields") or {}).get("request_id")
            if rid and rec.get("litellm_code"):
                ours[rid].append(rec)
        where = os.path.relpath(log, a.dir)
        for row in rows:
            recs = ours.get(row.get("litellm_call_id"))
            if not recs:
                unjoined += 1
                continue
            # The request's own error line: the record a rule (not a family or unknown) classed first.
            rec = recs[0]
            compared += 1
            theirs, mine = row["normalized_error"], rec["litellm_code"]
            if theirs == mine:
                agreed += 1
            else:
                disagreements[(theirs, mine)] += 1
                lines.append(f"  {where}: {row['litellm_call_id']}: LiteLLM {theirs} ({row.get('exception')}), "
                             f"logwatch {mine} ({rec['rule']})")
            cat = row.get("error_rate_limit_category")
            if cat:
                category_compared += 1
                mine_cat = (rec.get("fields") or {}).get("rate_limit_category")
                if mine_cat == cat:
                    category_agreed += 1
                else:
                    lines.append(f"  {where}: {row['litellm_call_id']}: category LiteLLM {cat}, logwatch {mine_cat}")
    print(f"normalized error codes: {agreed}/{compared} requests agree"
          + (f" ({agreed / compared:.1%})" if compared else "")
          + f"; {unjoined} LiteLLM verdicts had no logwatch record with the same request id")
    print(f"rate-limit categories: {category_agreed}/{category_compared} agree")
    if disagreements:
        print("\ndisagreements by (LiteLLM, logwatch):")
        for (theirs, mine), n in disagreements.most_common():
            print(f"  {n:>4}  {theirs} vs {mine}")
    if lines:
        print("\nevery disagreement:")
        print("\n".join(lines))
    return 1 if compared == 0 else 0

if __name__ == "__main__":
    sys.exit(main())
