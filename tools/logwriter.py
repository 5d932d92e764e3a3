#!/usr/bin/env python3
"""Writes a LiteLLM-like log at a steady rate, rotating it, for the follow tests and torture runs.

Every line carries a sequence number; every --error-every-th line is an error that logwatch
matches (a provider rate limit), so the reader's output proves what was lost or repeated.
Prints one JSON summary line at the end: lines and errors written, rotations done.
"""
import argparse
import json
import os
import shutil
import time

ERROR = ("12:00:00 - LiteLLM Proxy:ERROR: router.py:1 - litellm.RateLimitError: RateLimitError: "
         "OpenAIException - Rate limit reached for gpt-4o seq={seq}. Received Model Group=gpt-4o\n")
INFO = 'INFO:     10.0.0.{host}:51234 - "POST /chat/completions HTTP/1.1" 200 OK seq={seq}\n'


def main():
    p = argparse.ArgumentParser()
    p.add_argument("path")
    p.add_argument("--lines", type=int, default=10000)
    p.add_argument("--rate", type=float, default=5000, help="lines per second")
    p.add_argument("--error-every", type=int, default=10)
    p.add_argument("--rotate-every", type=int, default=0, help="lines between rotations (0: never)")
    p.add_argument("--mode", choices=["rename", "copytruncate"], default="rename")
    p.add_argument("--start", type=int, default=0, help="first sequence number")
    p.add_argument("--delay", type=float, default=0, help="seconds to wait before writing")
    a = p.parse_args()
    time.sleep(a.delay)
    f = open(a.path, "a", buffering=1)
    start = time.monotonic()
    errors = rotations = 0
    batch = max(1, int(a.rate / 200))  # write in small bursts, 200 per second
    for i in range(a.lines):
        seq = a.start + i
        if seq % a.error_every == 0:
            f.write(ERROR.format(seq=seq))
            errors += 1
        else:
            f.write(INFO.format(seq=seq, host=seq % 250))
        if a.rotate_every and (i + 1) % a.rotate_every == 0:
            rotations += 1
            f.flush()
            rotated = f"{a.path}.{rotations}"
            if a.mode == "rename":
                f.close()
                os.rename(a.path, rotated)
                f = open(a.path, "a", buffering=1)
            else:
                shutil.copyfile(a.path, rotated)
                os.truncate(a.path, 0)
        if (i + 1) % batch == 0:
            ahead = start + (i + 1) / a.rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
    f.close()
    print(json.dumps({"lines": a.lines, "errors": errors, "rotations": rotations,
                      "seconds": round(time.monotonic() - start, 3)}), flush=True)


if __name__ == "__main__":
    main()
