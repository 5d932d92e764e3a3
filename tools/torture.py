#!/usr/bin/env python3
"""Fault injection for logwatch: every case prints one result line and a verdict.

    tools/torture.py --bin .build/release/logwatch [--short] [--only NAME] [--markdown FILE]

Each case runs the real binary against real files, processes and (for delivery cases) a real
HTTP receiver on 127.0.0.1, and counts what was lost, repeated or leaked. --short shrinks the
sizes so the whole run fits in `make test`; the full run is `make torture`.
"""
import argparse
import http.server
import json
import os
import random
import re
import signal
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ERROR = ("12:00:00 - LiteLLM Proxy:ERROR: router.py:1 - litellm.RateLimitError: RateLimitError: "
         "OpenAIException - Rate limit reached for gpt-4o seq={seq}. Received Model Group=gpt-4o\n")
AUTH = ("12:00:00 - LiteLLM Proxy:ERROR: proxy_server.py:1 - litellm.AuthenticationError: "
        "AzureException AuthenticationError - Access denied due to invalid subscription key or wrong "
        "API endpoint. api_key={key} seq={seq}\n")

RESULTS = []


def result(name, ok, detail):
    RESULTS.append((name, ok, detail))
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)


def seqs(text):
    seen = {}
    for line in text.splitlines():
        if not line.startswith("{"):
            continue
        m = re.search(r"seq=(\d+)", line)
        if m:
            seen[int(m.group(1))] = seen.get(int(m.group(1)), 0) + 1
    return seen


class Follower:
    """logwatch --follow ... --json in the background, stdout and stderr to files."""

    def __init__(self, binary, args, workdir, tag):
        self.out = open(os.path.join(workdir, f"{tag}.out"), "w+")
        self.err = open(os.path.join(workdir, f"{tag}.err"), "w+")
        env = dict(os.environ, NO_COLOR="1")
        self.proc = subprocess.Popen([binary] + args, stdout=self.out, stderr=self.err, env=env)

    def text(self):
        self.out.flush()
        with open(self.out.name) as f:
            return f.read()

    def errors(self):
        with open(self.err.name) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=60):
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def wait_ready(follower, path, timeout=120):
    probe = ERROR.replace("seq={seq}", "seq=probe")
    deadline = time.time() + timeout
    while "seq=probe" not in follower.text() and time.time() < deadline:
        with open(path, "a") as f:
            f.write(probe)
        time.sleep(0.3)
    if "seq=probe" not in follower.text():
        raise RuntimeError("follower never became ready: " + follower.errors())


def wait_for(predicate, timeout):
    deadline = time.time() + timeout
    while not predicate() and time.time() < deadline:
        time.sleep(0.2)
    return predicate()


def writer(path, *args):
    cmd = [sys.executable, os.path.join(HERE, "logwriter.py"), path] + [str(a) for a in args]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def rotation_storm(binary, work, short, mode):
    rotations = 20 if short else 200
    per = 250
    path = os.path.join(work, f"storm-{mode}.log")
    open(path, "w").close()
    f = Follower(binary, ["--follow", path, "--json"], work, f"storm-{mode}")
    wait_ready(f, path)
    lines = rotations * per
    summary = writer(path, "--lines", lines, "--rate", 5000, "--rotate-every", per, "--mode", mode, "--error-every", 10)
    expected = set(range(0, lines, 10))
    wait_for(lambda: set(seqs(f.text())) >= expected, 60 if mode == "rename" else 10)
    f.stop()
    seen = seqs(f.text())
    lost = len(expected - set(seen))
    repeated = sum(1 for c in seen.values() if c > 1)
    gaps = f.errors().count("possible gap")
    if mode == "rename":
        ok = lost == 0 and repeated == 0
        detail = f"{summary['rotations']} rename rotations at 5,000 lines/s: {len(seen)}/{len(expected)} errors, {lost} lost, {repeated} repeated"
    else:
        # copytruncate can lose what was written between the reader's last read and the
        # truncation; that must be reported as a possible gap, never silent, never repeated.
        ok = repeated == 0 and (lost == 0 or gaps > 0)
        detail = (f"{summary['rotations']} copytruncate rotations at 5,000 lines/s: {lost} lost, each window reported "
                  f"({gaps} possible-gap events), {repeated} repeated")
    result(f"rotation storm ({mode})", ok, detail)


def long_lines(binary, work, short):
    size = (10 if short else 100) * 1024 * 1024
    path = os.path.join(work, "long.log")
    with open(path, "wb") as f:
        f.write(ERROR.format(seq=1).encode())
        chunk = b"x" * (1 << 20)
        for _ in range(size // len(chunk)):
            f.write(chunk)
        f.write(b"\n")
        f.write(ERROR.format(seq=2).encode())
    t = time.time()
    run = subprocess.run(["/usr/bin/time", "-v", binary, "scan", path, "--json"], capture_output=True, text=True)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1)) // 1024
    seen = seqs(run.stdout)
    ok = run.returncode == 0 and set(seen) == {1, 2}
    result("100 MB line" if not short else "10 MB line", ok,
           f"{size // (1 << 20)} MB line between two errors: both found, exit {run.returncode}, peak RSS {rss} MB, {time.time() - t:.1f} s")


def garbage(binary, work, short):
    rnd = random.Random(7)
    path = os.path.join(work, "garbage.log")
    n = 200 if short else 2000
    with open(path, "wb") as f:
        for i in range(n):
            f.write(bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 400))))
            f.write(b"\n\x00\xff\xfe\xc3\x28\n")
            f.write(ERROR.format(seq=i).encode())
    run = subprocess.run([binary, "scan", path, "--json"], capture_output=True)
    seen = seqs(run.stdout.decode("utf-8", "replace"))
    valid = True
    for line in run.stdout.splitlines():
        try:
            json.loads(line)
        except ValueError:
            valid = False
    ok = run.returncode == 0 and set(seen) >= set(range(n)) and valid
    result("invalid UTF-8 and NUL bytes", ok,
           f"{n} random binary blocks with NULs and broken UTF-8: {len(set(seen) & set(range(n)))}/{n} errors found, every output line valid JSON: {valid}, exit {run.returncode}")


def secrets(binary, work, short):
    rnd = random.Random(11)
    path = os.path.join(work, "secrets.log")
    planted = []
    with open(path, "w") as f:
        for i in range(1000):
            kind = i % 4
            if kind == 0:
                key = "sk-" + "".join(rnd.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789") for _ in range(40))
            elif kind == 1:
                key = "".join(rnd.choice("0123456789abcdef") for _ in range(32))
            elif kind == 2:
                key = "Bearer " + "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(48))
            else:
                key = "sk-ant-api03-" + "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789_-") for _ in range(60))
            planted.append(key.replace("Bearer ", ""))
            f.write(AUTH.format(key=key, seq=i))
    outputs = []
    for args in (["scan", path], ["scan", path, "--json"]):
        outputs.append(subprocess.run([binary] + args, capture_output=True, text=True).stdout)
    leaked = sum(1 for key in planted if any(key[:-4] in out for out in outputs))
    result("1,000 planted secrets", leaked == 0, f"1,000 keys (sk-, 32-hex Azure, bearer, sk-ant-) in text and JSON output: {leaked} leaked")


def pathological_rules(binary, work, short):
    rules = os.path.join(work, "rules", "benign")
    os.makedirs(rules, exist_ok=True)
    bad = os.path.join(rules, "backtrack-bomb.yaml")
    with open(bad, "w") as f:
        # Benign needs only summary and meaning: the point is the engine, not the entry.
        f.write("""id: backtrack-bomb
class: benign
severity: info
origin: proxy
title: A pattern that backtracks exponentially in a backtracking engine
match:
  - '(a+)+b'
entry:
  summary: A test rule whose pattern is the classic catastrophic-backtracking case.
  meaning: Nested quantifiers make backtracking engines take exponential time on a run of a's without a b.
examples:
  - text: 'aaaab'
counterexamples:
  - text: 'ccc'
""")
    path = os.path.join(work, "bomb.log")
    with open(path, "w") as f:
        for _ in range(2000 if short else 20000):
            f.write("a" * 5000 + "c\n")
    t = time.time()
    run = subprocess.run([binary, "scan", path, "--rules", os.path.join(work, "rules"), "--json"], capture_output=True, text=True)
    elapsed = time.time() - t
    size = os.path.getsize(path) / 1e6
    ok = run.returncode == 0 and elapsed < 120
    result("pathological rule pattern", ok,
           f"'(a+)+b' over {size:.0f} MB of 'aaaa…c' lines: exit {run.returncode}, {elapsed:.1f} s ({size / max(elapsed, 1e-3):.0f} MB/s; linear-time engine)")
    with open(bad, "w") as f:
        f.write("id: broken\nclass: benign\nseverity: info\ntitle: x\nmatch:\n  - 'fine'\n  - '(unclosed'\n")
    run = subprocess.run([binary, "rules", "check", os.path.join(work, "rules")], capture_output=True, text=True)
    named = re.search(r"backtrack-bomb\.yaml:7: match\[1\]: PCRE2 rejects", run.stdout + run.stderr) is not None
    result("invalid rule", run.returncode == 2 and named,
           f"a rule with an unclosed group and missing sections: exit {run.returncode}, every problem named with file:line: field ({named})")


def full_disk(binary, work, short):
    mnt = os.path.join(work, "small-fs")
    os.makedirs(mnt)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt], capture_output=True).returncode != 0:
        result("state directory on a full file system", True, "skipped: cannot mount a small tmpfs here (needs root)")
        return
    try:
        state = os.path.join(mnt, "state")
        path = os.path.join(work, "full.log")
        open(path, "w").close()
        f = Follower(binary, ["--follow", path, "--json", "--state-dir", state], work, "full")
        wait_ready(f, path)
        with open(os.path.join(mnt, "filler"), "wb") as filler:
            try:
                while True:
                    filler.write(b"\0" * 65536)
                    filler.flush()
            except OSError:
                pass
        writer(path, "--lines", 2000, "--rate", 2000, "--error-every", 10)
        wait_for(lambda: len(seqs(f.text())) >= 200, 30)
        alive = f.proc.poll() is None
        f.stop()
        errors = f.errors()
        clear = "checkpoint failed" in errors
        seen = len(seqs(f.text()))
        os.remove(os.path.join(mnt, "filler"))
        intact = sqlite3.connect(os.path.join(state, "state.sqlite")).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ok = alive and clear and intact and seen >= 200
        first_error = next((l for l in errors.splitlines() if "checkpoint failed" in l), "")[:160]
        result("state directory on a full file system", ok,
               f"kept reading ({seen}/200 errors printed), error logged: {clear} ('{first_error}'), state file integrity after: {intact}")
    finally:
        subprocess.run(["umount", "-l", mnt])


RATE_LIMIT = ("12:00:00 - LiteLLM Proxy:ERROR: router.py:1 - litellm.RateLimitError: RateLimitError: "
              "OpenAIException - Rate limit reached for {model}. Received Model Group={model}\n")


class Receiver:
    """tools/receiver.py on 127.0.0.1; every accepted request is one JSON line in `out`."""

    def __init__(self, work, tag, *args):
        self.port_file = os.path.join(work, f"{tag}.port")
        self.out = os.path.join(work, f"{tag}.ndjson")
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "receiver.py"), "--port-file", self.port_file,
                                      "--out", self.out] + list(args))
        wait_for(lambda: os.path.exists(self.port_file), 30)
        self.url = f"http://127.0.0.1:{open(self.port_file).read()}/hook"

    def notices(self):
        if not os.path.exists(self.out):
            return []
        notices = []
        for line in open(self.out):
            try:
                notices.append(json.loads(json.loads(line)["body"]))
            except ValueError:
                pass
        return notices

    def models(self):
        return {i.get("fields", {}).get("model_group") for n in self.notices() for i in n.get("incidents", [])}

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def daemon_config(work, log, url, outbox=10000):
    path = os.path.join(work, "config.yaml")
    with open(path, "w") as f:
        f.write(f"""state_dir: {os.path.join(work, 'state')}
http: {{ listen: "off" }}
sources:
  - {{ type: file, paths: [{log}], from: start }}
policy: {{ group_wait: 1s, group_interval: 2s, resolve_after: 10m }}
sinks:
  - {{ name: hook, type: generic, url: "{url}", max_per_minute: 10000 }}
outbox: {{ max_notices: {outbox} }}
""")
    return path


def run_daemon(binary, config, work, tag):
    out = open(os.path.join(work, f"{tag}.err"), "w")
    return subprocess.Popen([binary, "run", "--config", config], stdout=subprocess.DEVNULL, stderr=out,
                            env=dict(os.environ, NO_COLOR="1"))


def outbox_depth(work):
    db = os.path.join(work, "state", "state.sqlite")
    if not os.path.exists(db):
        return None
    try:
        return sqlite3.connect(db, timeout=5).execute("select count(*) from outbox").fetchone()[0]
    except sqlite3.Error:
        return None


def sigkill_loop(binary, work, short):
    """New incidents keep coming (one model group each) while the daemon is killed again and again."""
    work = os.path.join(work, "sigkill")
    os.makedirs(work)
    receiver = Receiver(work, "receiver")
    log = os.path.join(work, "proxy.log")
    open(log, "w").close()
    config = daemon_config(work, log, receiver.url)
    kills = 3 if short else 20
    models = []
    stop = threading.Event()

    def write():
        n = 0
        while not stop.is_set():
            with open(log, "a") as f:
                model = f"gpt-seq-{n}"
                f.write(RATE_LIMIT.format(model=model))
                models.append(model)
            n += 1
            time.sleep(0.02)

    writer_thread = threading.Thread(target=write)
    writer_thread.start()
    rnd = random.Random(3)
    for i in range(kills):
        proc = run_daemon(binary, config, work, f"run-{i}")
        time.sleep(rnd.uniform(1.0, 3.0))
        proc.kill()
        proc.wait()
    stop.set()
    writer_thread.join()
    final = run_daemon(binary, config, work, "final")
    expected = set(models)
    wait_for(lambda: expected <= receiver.models() and outbox_depth(work) == 0, 300)
    final.send_signal(signal.SIGTERM)
    code = final.wait(60)
    receiver.stop()
    lost = expected - receiver.models()
    notices = len(receiver.notices())
    result("SIGKILL loop with a webhook receiver", not lost and code == 0,
           f"{kills} SIGKILLs while {len(expected)} new incidents arrived: {len(expected) - len(lost)}/{len(expected)} reached the "
           f"receiver in {notices} notices ({len(lost)} lost), clean stop exit {code}")


def start_outage(binary, work, name, outbox):
    """A daemon following an empty log, sending to a receiver that is down until `down` goes."""
    work = os.path.join(work, name)
    os.makedirs(work)
    down = os.path.join(work, "down")
    open(down, "w").close()
    receiver = Receiver(work, "receiver", "--down", down)
    log = os.path.join(work, "proxy.log")
    open(log, "w").close()
    proc = run_daemon(binary, daemon_config(work, log, receiver.url, outbox=outbox), work, "run")
    return work, down, receiver, log, proc


def outage(binary, work, short):
    """The receiver answers 503 for a while; everything queued is delivered afterwards."""
    work, down, receiver, log, proc = start_outage(binary, work, "outage", outbox=10000)
    seconds = 5 if short else 180
    models = [f"gpt-outage-{n}" for n in range(30)]
    start = time.time()
    for i, model in enumerate(models):
        with open(log, "a") as f:
            f.write(RATE_LIMIT.format(model=model))
        time.sleep(seconds / len(models))
    queued = outbox_depth(work) or 0
    while time.time() - start < seconds:
        time.sleep(0.5)
    os.remove(down)
    delivered = wait_for(lambda: set(models) <= receiver.models() and outbox_depth(work) == 0, 600)
    took = time.time() - start - seconds
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(60)
    receiver.stop()
    result("webhook outage", delivered and code == 0,
           f"{seconds} s of 503s while 30 incidents opened: {queued} notices queued at the end of the outage, "
           f"all delivered {took:.0f} s after it ended (backoff), exit {code}")


def bounded_outbox(binary, work, short):
    """An outage longer than the outbox holds: the oldest are dropped, counted, and reported."""
    work, down, receiver, log, proc = start_outage(binary, work, "bounded", outbox=5)
    for n in range(12):
        with open(log, "a") as f:
            f.write(RATE_LIMIT.format(model=f"gpt-bounded-{n}"))
        time.sleep(1.2)  # each in its own notice (group_wait 1 s)
    depth = outbox_depth(work)
    os.remove(down)
    with open(log, "a") as f:
        f.write(RATE_LIMIT.format(model="gpt-after-outage"))
    wait_for(lambda: "gpt-after-outage" in receiver.models() and outbox_depth(work) == 0, 300)
    dropped = sum(n.get("dropped", 0) for n in receiver.notices())
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(60)
    receiver.stop()
    ok = depth is not None and depth <= 5 and dropped > 0 and code == 0
    result("bounded outbox", ok,
           f"12 notices during an outage with max_notices 5: outbox held {depth}, {dropped} dropped and reported in a later notice, exit {code}")


CASES = {
    "rotation-rename": lambda b, w, s: rotation_storm(b, w, s, "rename"),
    "rotation-copytruncate": lambda b, w, s: rotation_storm(b, w, s, "copytruncate"),
    "long-lines": long_lines,
    "garbage": garbage,
    "secrets": secrets,
    "pathological-rules": pathological_rules,
    "full-disk": full_disk,
    "sigkill-loop": sigkill_loop,
    "outage": outage,
    "bounded-outbox": bounded_outbox,
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default=os.path.join(REPO, ".build/release/logwatch"))
    p.add_argument("--short", action="store_true")
    p.add_argument("--only", action="append")
    p.add_argument("--markdown")
    a = p.parse_args()
    binary = os.path.abspath(a.bin)
    work = tempfile.mkdtemp(prefix="lw-torture-")
    try:
        for name, case in CASES.items():
            if a.only and name not in a.only:
                continue
            try:
                case(binary, work, a.short)
            except Exception as e:  # a crashed case is a failed case, with the reason
                result(name, False, f"harness error: {e}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write("| case | result | measured |\n| --- | --- | --- |\n")
            for name, ok, detail in RESULTS:
                f.write(f"| {name} | {'pass' if ok else 'FAIL'} | {detail} |\n")
    failed = [r for r in RESULTS if not r[1]]
    print(f"torture: {len(RESULTS) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
