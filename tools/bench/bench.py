#!/usr/bin/env python3
"""`make bench`: throughput against ripgrep, grep, wc and cat on one generated 1 GB LiteLLM log,
follow-mode latency, peak memory and rule compile time. Prints a Markdown table.

Every figure comes from this one run. The throughput commands alternate round by round (so a
busy neighbour slows all of them alike) and the median round counts. Nothing here asserts a
speed: benchmarks report, tests decide.

usage: bench.py [--bin PATH] [--size-mb N] [--rounds N] [--data DIR] [--skip-follow] [--skip-compile]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- data and patterns

def ensure_data(args):
    os.makedirs(args.data, exist_ok=True)
    path = os.path.join(args.data, "litellm-%dm.log" % args.size_mb)
    if not os.path.exists(path):
        log("generating %s (deterministic; reused on later runs)" % path)
        subprocess.run([sys.executable, os.path.join(HERE, "gen_log.py"), path, "--size-mb", str(args.size_mb),
                        "--rules", os.path.join(ROOT, "Rules"), "--corpus", args.corpus], check=True)
    return path


def prefix_file(path, data_dir, mb):
    out = os.path.join(data_dir, os.path.basename(path) + ".prefix%dm" % mb)
    if not os.path.exists(out):
        with open(path, "rb") as src, open(out + ".part", "wb") as dst:
            dst.write(src.read(mb * 1024 * 1024))
            dst.write(src.readline())  # end on a line boundary
        os.replace(out + ".part", out)
    return out


LOOKAROUND = re.compile(r"\(\?<?[=!]")


def rust_form(p):
    """ripgrep searches line by line: a class that only differs from `.` by newline is `.`."""
    return p.replace(r"[^\n]", ".").replace(r"[\s\S]", ".")


def ere_form(p):
    """A best-effort POSIX ERE (GNU grep -E) form: no (?:...), \\d, (?i) or lazy quantifiers."""
    p = rust_form(p).replace("(?:", "(")
    p = p.replace("(?i)", "")
    p = re.sub(r"(?<!\\)([*+?}])\?", r"\1", p)
    out, in_class, i = [], False, 0
    while i < len(p):
        c = p[i]
        if c == "\\" and i + 1 < len(p):
            e = p[i + 1]
            if e in "dD":
                out.append(("0-9" if e == "d" else "") if in_class else ("[0-9]" if e == "d" else "[^0-9]"))
            else:
                out.append(c + e)
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
        elif c == "]" and in_class:
            in_class = False
        out.append(c)
        i += 1
    return "".join(out)


def accepted(cmd_prefix, pattern):
    r = subprocess.run(cmd_prefix + ["-e", pattern, "/dev/null"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return r.returncode in (0, 1) and not r.stderr


def write_patterns(args):
    """`logwatch rules patterns`, as ripgrep and grep -E accept them; returns the two files and counts."""
    raw = subprocess.run([args.bin, "rules", "patterns"], check=True, capture_output=True, text=True).stdout.splitlines()
    rg, ere = [], []
    for p in raw:
        if LOOKAROUND.search(p):
            continue  # neither engine has lookaround (ripgrep would need -P, i.e. PCRE2)
        if accepted(["rg", "-c"], rust_form(p)):
            rg.append(rust_form(p))
        if accepted(["grep", "-E", "-c"], ere_form(p)):
            ere.append(ere_form(p))
    files = {}
    for name, pats in (("patterns.rg.txt", rg), ("patterns.ere.txt", ere)):
        files[name] = os.path.join(args.data, name)
        with open(files[name], "w") as f:
            f.write("\n".join(pats) + "\n")
    return files["patterns.rg.txt"], files["patterns.ere.txt"], len(raw), len(rg), len(ere)


# ---------------------------------------------------------------- throughput

def timed(cmd, stdout_path=os.devnull, rss=False):
    """Wall seconds (and peak RSS in KiB when asked, via /usr/bin/time -v)."""
    stats = None
    if rss:
        stats = os.path.join("/tmp", "bench-time-%d.txt" % os.getpid())
        cmd = ["/usr/bin/time", "-v", "-o", stats] + cmd
    with open(stdout_path, "wb") as out:
        t0 = time.perf_counter()
        r = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE)
        t = time.perf_counter() - t0
    if r.returncode not in (0, 1):
        raise SystemExit("bench: %s failed (%d): %s" % (cmd[0], r.returncode, r.stderr.decode()[-500:]))
    kib = None
    if stats:
        with open(stats) as f:
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read())
        kib = int(m.group(1)) if m else None
        os.unlink(stats)
    return t, kib


def throughput(args, big, prefix, rg_file, ere_file):
    # ripgrep's default is Unicode classes (\\w, \\d, .), which makes its DFA far larger than
    # Hyperscan's byte-oriented one; the ASCII run is the like-for-like peer.
    ascii_file = rg_file.replace(".txt", ".ascii.txt")
    with open(rg_file) as src, open(ascii_file, "w") as dst:
        for p in src.read().splitlines():
            dst.write("(?-u)" + p + "\n")
    size_big = os.path.getsize(big) / 1e6
    size_prefix = os.path.getsize(prefix) / 1e6
    scan_out = os.path.join(args.data, "scan.ndjson")
    full_out = os.path.join(args.data, "scan-frame-all.ndjson")
    cmds = [
        ("logwatch scan --json", [args.bin, "scan", "--json", big], size_big, scan_out),
        ("logwatch scan --json --frame-all (100 MB prefix)", [args.bin, "scan", "--json", "--frame-all", prefix],
         size_prefix, full_out),
        ("rg -c -f, ASCII (?-u)", ["rg", "-c", "-f", ascii_file, big], size_big, os.devnull),
        ("rg -c -f (100 MB prefix)", ["rg", "-c", "-f", rg_file, prefix], size_prefix, os.devnull),
        ("grep -E -c -f (100 MB prefix)", ["grep", "-E", "-c", "-f", ere_file, prefix], size_prefix, os.devnull),
        ("wc -l", ["wc", "-l", big], size_big, os.devnull),
        ("cat > /dev/null", ["cat", big], size_big, os.devnull),
    ]
    engine = hs_scan_binary(args)
    if engine:
        cmds.insert(1, ("Hyperscan alone, ripgrep's patterns", [engine, rg_file, big], size_big, os.devnull))
    times = {name: [] for name, *_ in cmds}
    rss = []
    timed(["cat", big])  # warm the page cache
    subprocess.run([args.bin, "rules", "compile"], check=True, capture_output=True)  # and the rule cache
    for r in range(args.rounds):
        for name, cmd, _, out in cmds:
            t, kib = timed(cmd, out, rss=(name == "logwatch scan --json"))
            times[name].append(t)
            if kib:
                rss.append(kib)
            log("round %d: %-32s %7.2f s" % (r + 1, name, t))
    rows = []
    for name, _, size, _ in cmds:
        med = statistics.median(times[name])
        rows.append((name, size, med, size / med))
    with open(scan_out, "rb") as f:
        matched = sum(1 for _ in f)
    # The gated path must not change a byte: same prefix, every line framed vs. only the
    # stretches the gate marks.
    sparse_out = os.path.join(args.data, "scan-prefix.ndjson")
    timed([args.bin, "scan", "--json", prefix], sparse_out)
    with open(sparse_out, "rb") as a, open(full_out, "rb") as b:
        sparse, full = a.read(), b.read()
    identical = (sparse == full, full.count(b"\n"))
    return rows, max(rss) if rss else None, matched, identical


def hs_scan_binary(args):
    """tools/bench/hs_scan.c built with the system compiler: the engine with nothing around it."""
    out = os.path.join(args.data, "hs_scan")
    src = os.path.join(HERE, "hs_scan.c")
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        return None
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(src):
        if subprocess.run([cc, "-O2", "-o", out, src, "-lhs"]).returncode != 0:
            return None
    return out


# ---------------------------------------------------------------- follow latency

def follow_latency(args, single_count=5000, rate=1000, tracebacks=20):
    path = os.path.join(args.data, "follow.log")
    open(path, "w").close()
    proc = subprocess.Popen([args.bin, "--follow", path, "--json"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    received = {}
    seq_re = re.compile(rb"bench-seq=(\d+)")

    def reader():
        for line in proc.stdout:
            t = time.perf_counter()
            m = seq_re.search(line)
            if m:
                received.setdefault(int(m.group(1)), t)

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    sent = {}

    def line(seq):
        return ("%s - LiteLLM Proxy:ERROR: proxy_server.py:4122 - litellm.RateLimitError: RateLimitError: OpenAIException "
                "- Rate limit reached for gpt-4o in organization org-bench on tokens per min (TPM). bench-seq=%d\n"
                % (time.strftime("%H:%M:%S"), seq))

    # Wait until the follower is reading (rule loading takes a moment): probe until one comes back.
    probe = 10**9
    deadline = time.time() + 30
    while probe not in received and time.time() < deadline:
        os.write(fd, line(probe).encode())
        os.write(fd, line(probe + 1).encode())  # the next record closes the probe at once
        time.sleep(0.1)
    received.clear()
    # Single-line errors at `rate` per second.
    t0 = time.perf_counter()
    for i in range(single_count):
        target = t0 + i / rate
        while True:
            d = target - time.perf_counter()
            if d <= 0:
                break
            time.sleep(d if d > 0.002 else 0)
        sent[i] = time.perf_counter()
        os.write(fd, line(i).encode())
    # Tracebacks, spaced wider than the idle timeout: each ends only by the idle timeout.
    tb_base = 10**6
    for j in range(tracebacks):
        seq = tb_base + j
        text = line(seq) + ("Traceback (most recent call last):\n  File \"/usr/lib/python3.13/site-packages/litellm/main.py\", "
                            "line 512, in acompletion\n    response = await init_response\n"
                            "litellm.exceptions.RateLimitError: litellm.RateLimitError: rate limited\n")
        sent[seq] = time.perf_counter()
        os.write(fd, text.encode())
        time.sleep(0.5)
    time.sleep(1.0)
    os.close(fd)
    proc.terminate()
    proc.wait(timeout=5)

    def pct(values, q):
        values = sorted(values)
        return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))] if values else float("nan")

    singles = [(received[i] - sent[i]) * 1000 for i in range(single_count) if i in received]
    tbs = [(received[s] - sent[s]) * 1000 for s in range(tb_base, tb_base + tracebacks) if s in received]
    return {"single_n": single_count, "single_got": len(singles), "single_p50": pct(singles, 50),
            "single_p99": pct(singles, 99), "tb_n": tracebacks, "tb_got": len(tbs), "tb_p50": pct(tbs, 50),
            "tb_p99": pct(tbs, 99)}


# ---------------------------------------------------------------- compile time

def generated_rules(args, count=500):
    """`count` rules made from the shipped ones: same shapes, each pattern made distinct."""
    import yaml
    out = os.path.join(args.data, "rules-%d" % count)
    if os.path.isdir(out):
        return out
    shipped = []
    for cls in sorted(os.listdir(os.path.join(ROOT, "Rules"))):
        d = os.path.join(ROOT, "Rules", cls)
        for name in sorted(os.listdir(d)):
            if name.endswith(".yaml"):
                with open(os.path.join(d, name)) as f:
                    shipped.append(yaml.safe_load(f))
    shipped = [r for r in shipped if r.get("class") != "benign"]
    for n in range(count):
        rule = dict(shipped[n % len(shipped)])
        rule["id"] = "%s-gen%03d" % (rule["id"], n)
        rule["match"] = ["(?:%s) \\[r%d\\]" % (p, n) for p in rule["match"]]
        d = os.path.join(out, rule["class"])
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, rule["id"] + ".yaml"), "w") as f:
            yaml.safe_dump(rule, f, sort_keys=False, allow_unicode=True)
    return out


def compile_times(args, runs=3):
    """Best of `runs` for each rule set, cold (--no-cache: Hyperscan compiles) and warm (the
    compiled database comes from the cache), with the peak RSS of the last run."""
    results = {}
    for label, dirs in (("shipped", []), ("500 generated", [generated_rules(args)])):
        for mode, flags in (("cold", ["--no-cache"]), ("warm", [])):
            best = None
            subprocess.run([args.bin, "rules", "compile"] + dirs, capture_output=True)  # fills the cache
            for _ in range(runs):
                stats = "/tmp/bench-compile-%d.txt" % os.getpid()
                r = subprocess.run(["/usr/bin/time", "-v", "-o", stats, args.bin, "rules", "compile"] + flags + dirs,
                                   capture_output=True, text=True)
                if r.returncode != 0:
                    raise SystemExit("bench: rules compile failed: " + r.stderr[-800:])
                with open(stats) as f:
                    kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read()).group(1))
                os.unlink(stats)
                line = r.stdout.strip().splitlines()[-1]
                total = float(re.search(r"total ([\d.]+) ms", line).group(1))
                if best is None or total < best[0]:
                    best = (total, line, kib)
            results["%s, %s" % (label, mode)] = "%s; peak RSS %.1f MiB" % (best[1], best[2] / 1024)
    return results


# ---------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default=os.path.join(ROOT, ".build/release/logwatch"))
    p.add_argument("--size-mb", type=int, default=1024)
    p.add_argument("--prefix-mb", type=int, default=100)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--data", default=os.path.join(ROOT, "bench-data"))
    p.add_argument("--corpus", default=os.path.join(ROOT, "Tests", "Fixtures", "corpus", "litellm-dev.jsonl"))
    p.add_argument("--skip-follow", action="store_true")
    p.add_argument("--skip-compile", action="store_true")
    args = p.parse_args()
    # The compiled-rule cache lives with the data, so runs are reproducible and home stays clean.
    os.environ["LOGWATCH_CACHE_DIR"] = os.path.join(os.path.abspath(args.data), "cache")
    for tool in ("rg", "grep", "wc", "cat", "/usr/bin/time"):
        if not shutil.which(tool):
            raise SystemExit("bench: %s is missing (make deps installs ripgrep and time)" % tool)
    big = ensure_data(args)
    prefix = prefix_file(big, args.data, args.prefix_mb)
    rg_file, ere_file, n_all, n_rg, n_ere = write_patterns(args)
    rows, rss, matched, identical = throughput(args, big, prefix, rg_file, ere_file)
    print("## Throughput (%s, %.0f MB, median of %d alternating rounds)\n" % (os.path.basename(big),
                                                                            os.path.getsize(big) / 1e6, args.rounds))
    print("| command | MB | seconds | MB/s |\n| --- | ---: | ---: | ---: |")
    for name, size, t, mbs in rows:
        print("| `%s` | %.0f | %.2f | %.0f |" % (name, size, t, mbs))
    speed = {name: mbs for name, _, _, mbs in rows}
    lw = speed["logwatch scan --json"]
    print("\nlogwatch/ripgrep = %.2f× (ASCII, same 1 GB file), %.2f× (ripgrep's default Unicode mode, 100 MB prefix); "
          "logwatch/wc -l = %.3f×" % (lw / speed["rg -c -f, ASCII (?-u)"], lw / speed["rg -c -f (100 MB prefix)"],
                                     lw / speed["wc -l"]))
    print("patterns: %d from `logwatch rules patterns`; ripgrep ran %d, grep -E ran %d (lookaround and "
          "engine-specific syntax left out)" % (n_all, n_rg, n_ere))
    print("logwatch matched records: %d; peak RSS of logwatch scan: %s MiB" % (matched, "%.1f" % (rss / 1024) if rss else "?"))
    print("gated scan vs every line framed, 100 MB prefix: %s (%d records)" % (
        "byte-identical" if identical[0] else "DIFFERENT", identical[1]))
    if not identical[0]:
        raise SystemExit("bench: the gated scan's output differs from framing every line")
    if not args.skip_follow:
        f = follow_latency(args)
        print("\n## Follow latency (append → stdout)\n")
        print("| records | received | p50 ms | p99 ms |\n| --- | ---: | ---: | ---: |")
        print("| single-line errors at 1,000/s | %d/%d | %.1f | %.1f |" % (f["single_got"], f["single_n"], f["single_p50"],
                                                                       f["single_p99"]))
        print("| tracebacks, 0.5 s apart (end by idle timeout) | %d/%d | %.1f | %.1f |" % (
            f["tb_got"], f["tb_n"], f["tb_p50"], f["tb_p99"]))
    if not args.skip_compile:
        c = compile_times(args)
        print("\n## Rule compile time (best of 3)\n")
        for label, line in c.items():
            print("- %s: %s" % (label, line))


if __name__ == "__main__":
    main()
