#!/usr/bin/env python3
"""The bad-input matrix (issue 15): every subcommand and every source kind against the bad
inputs an operator can give, run on the BUILT binary.

For every case it checks: no death by a signal, no hang (each run has a generous limit that only
guards against hanging), an exit code of the contract (0 success, 1 a check failed, 2 usage,
configuration or rule errors) as the case expects, and a message on one line that names the path
and what is wrong. Followers that must wait (a missing path, as `tail -F` does) are synchronised on
what they print, never on sleeps: the case waits for the "waiting" line or for the record it wrote
to come out, then sends SIGTERM and expects a clean exit 0.

Prints one row per case (case, exit code, message) and the count; exits 1 if any case failed.
Usage: tools/badinput.py --bin .build/debug/logwatch [--only SUBSTRING] [--keep]
"""
import argparse
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ERROR_LINE = ("litellm.exceptions.AuthenticationError: litellm.AuthenticationError: AzureException "
              "AuthenticationError - Access denied due to invalid subscription key or wrong API endpoint. "
              "Make sure to provide a valid key for an active subscription and use a correct regional API "
              "endpoint for your resource.\n")
LIMIT = 300  # seconds: a guard against hangs, not a timing assertion (a 100 MB line through a debug build on a loaded machine takes ~1 min)


class Run:
    """A running logwatch whose stdout and stderr are collected line by line."""

    def __init__(self, argv, env=None, stdin=None, user=None):
        self.lines = {"out": [], "err": []}
        self.cond = threading.Condition()
        prefix = []
        if user:
            prefix = ["setpriv", f"--reuid={user}", f"--regid={pwd.getpwnam(user).pw_gid}", "--clear-groups"]
        self.proc = subprocess.Popen(prefix + argv, stdin=stdin if stdin is not None else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.threads = [threading.Thread(target=self._pump, args=(self.proc.stdout, "out"), daemon=True),
                        threading.Thread(target=self._pump, args=(self.proc.stderr, "err"), daemon=True)]
        for t in self.threads:
            t.start()

    def _pump(self, stream, name):
        for raw in iter(stream.readline, b""):
            with self.cond:
                self.lines[name].append(raw.decode("utf-8", "replace").rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.lines[name + "-closed"] = True
            self.cond.notify_all()

    def wait_for(self, name, pattern):
        """Waits until a line of `name` matches; False if the process ended or the limit passed."""
        regex = re.compile(pattern)
        end = time.monotonic() + LIMIT
        with self.cond:
            while True:
                if any(regex.search(line) for line in self.lines[name]):
                    return True
                if self.lines.get(name + "-closed") or time.monotonic() > end:
                    return False
                self.cond.wait(timeout=1)

    def finish(self, terminate=False):
        if terminate and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=LIMIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            code = "HANG"
        for t in self.threads:
            t.join(timeout=10)
        return code


class Matrix:
    def __init__(self, binary, only=None):
        self.bin = binary
        self.only = only
        self.rows = []
        self.failures = 0
        self.dir = tempfile.mkdtemp(prefix="logwatch-badinput-")
        os.chmod(self.dir, 0o755)
        self.env = dict(os.environ, NO_COLOR="1", LOGWATCH_RULES=os.path.join(ROOT, "Rules"),
                        DOCKER_ROOT=self.path("docker-root"), LOGWATCH_LOG_LEVEL="warning")
        os.makedirs(self.path("docker-root/containers"))
        self.inputs = self.make_inputs()

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data, mode=None):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        if mode is not None:
            os.chmod(p, mode)
        return p

    def make_inputs(self):
        """The catalogue of bad paths, made once: name -> path."""
        d = {}
        d["a directory"] = self.path("dir")
        os.makedirs(d["a directory"])
        d["a FIFO"] = self.path("fifo")
        os.mkfifo(d["a FIFO"])
        d["a socket"] = self.path("sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(d["a socket"])
        d["/dev/zero"] = "/dev/zero"
        d["/dev/null"] = "/dev/null"
        d["an unreadable file"] = self.write("unreadable.log", ERROR_LINE, mode=0o000)
        d["a symlink loop"] = self.path("loop-a")
        os.symlink(self.path("loop-b"), self.path("loop-a"))
        os.symlink(self.path("loop-a"), self.path("loop-b"))
        d["a dangling symlink"] = self.path("dangling")
        os.symlink(self.path("nowhere/at/all.log"), d["a dangling symlink"])
        d["a missing path"] = self.path("missing.log")
        d["a 0-byte file"] = self.write("empty.log", b"")
        d["binary garbage"] = self.write("garbage.log", bytes((i * 7919 + 13) % 256 for i in range(1 << 20)))
        # A 100 MB line (then an error line, which must still be found), and a file with no newline.
        big = self.path("long-line.log")
        with open(big, "wb") as f:
            chunk = b"x" * (1 << 20)
            for _ in range(100):
                f.write(chunk)
            f.write(b"\n" + ERROR_LINE.encode())
        d["a 100 MB line"] = big
        nonl = self.path("no-newline.log")
        with open(nonl, "wb") as f:
            chunk = b"y" * (1 << 20)
            for _ in range(64):
                f.write(chunk)
        d["a huge file with no newline"] = nonl
        d["invalid UTF-8 in the path"] = self.write(os.fsdecode(b"bad-\xff\xfe-name.log"), ERROR_LINE)
        return d

    # MARK: recording

    def record(self, name, code, message, ok, why=""):
        if self.only and self.only not in name:
            return
        message = (message or "").strip().splitlines()[0] if (message or "").strip() else ""
        self.rows.append((name, code, message, ok, why))
        if not ok:
            self.failures += 1
        status = "ok  " if ok else "FAIL"
        print(f"{status} | {name} | exit {code} | {message[:160]}" + (f" | {why}" if why else ""), flush=True)

    def wanted(self, name):
        return not self.only or self.only in name

    def run_once(self, name, argv, codes, must_mention=None, stdin=None, user=None, max_err_lines=None):
        """A command that must end by itself with one of `codes`."""
        if not self.wanted(name):
            return
        run = Run([self.bin] + argv, env=self.env, stdin=stdin, user=user)
        code = run.finish()
        err = [line for line in run.lines["err"] if line.strip()]
        message = err[0] if err else (run.lines["out"][-1] if run.lines["out"] else "")
        ok, why = True, ""
        if code == "HANG":
            ok, why = False, "did not end"
        elif code < 0:
            ok, why = False, f"killed by signal {-code}"
        elif code not in codes:
            ok, why = False, f"expected exit {sorted(codes)}"
        elif any(s in "\n".join(run.lines["err"]) for s in ("Fatal error", "Illegal instruction", "Stack dump")):
            ok, why = False, "a crash report on stderr"
        elif must_mention is not None and code != 0:
            text = "\n".join(err)
            for needle in ([must_mention] if isinstance(must_mention, str) else must_mention):
                if not re.search(needle, text):
                    ok, why = False, f"the message does not mention /{needle}/"
        if ok and max_err_lines is not None and len(err) > max_err_lines:
            ok, why = False, f"{len(err)} lines on stderr, expected at most {max_err_lines}"
        self.record(name, code, message, ok, why)

    def follow(self, name, argv, steps, stdin=None, user=None):
        """A follower: `steps` run against it (each returns None or a failure text), then SIGTERM: exit 0."""
        if not self.wanted(name):
            return
        run = Run([self.bin] + argv, env=self.env, stdin=stdin, user=user)
        why = ""
        for step in steps:
            why = step(run) or ""
            if why:
                break
        code = run.finish(terminate=True)
        err = [line for line in run.lines["err"] if line.strip()]
        message = err[0] if err else (run.lines["out"][0] if run.lines["out"] else "")
        if not why:
            if code == "HANG":
                why = "did not stop on SIGTERM"
            elif code != 0:
                why = f"exit {code} after SIGTERM, expected 0"
        self.record(name, code, message, not why, why)

    # MARK: steps for followers

    @staticmethod
    def says(pattern, stream="err", once=False):
        def step(run):
            if not run.wait_for(stream, pattern):
                return f"never printed /{pattern}/ on std{stream}"
            if once:
                # Said once: give the follower a record to handle, then count again.
                pass
            return None
        return step

    def append(self, path, text=ERROR_LINE):
        def step(run):
            with open(path, "a") as f:
                f.write(text)
            return None
        return step

    @staticmethod
    def matched(count=1):
        def step(run):
            end = time.monotonic() + LIMIT
            with run.cond:
                while sum('"rule"' in line for line in run.lines["out"]) < count:
                    if run.lines.get("out-closed") or time.monotonic() > end:
                        return f"the error line written was not reported (expected {count} match(es))"
                    run.cond.wait(timeout=1)
            return None
        return step

    @staticmethod
    def said_once(pattern):
        def step(run):
            n = sum(bool(re.search(pattern, line)) for line in run.lines["err"])
            return None if n == 1 else f"/{pattern}/ printed {n} times, expected once"
        return step

    # MARK: the matrix

    def paths_for_reading(self, sub, argv_for, ok_codes):
        """`scan`/`test`-like commands that read a path whole."""
        expect = {
            "a directory": ({2}, "directory"), "a socket": ({2}, "socket"),
            "/dev/zero": ({2}, "device"), "/dev/null": ({2}, "device"),
            "an unreadable file": ({2}, "[Pp]ermission denied"), "a symlink loop": ({2}, "loop"),
            "a dangling symlink": ({2}, "No such file"), "a missing path": ({2}, "No such file"),
            "a 0-byte file": (ok_codes, None), "binary garbage": (ok_codes, None),
            "a 100 MB line": (ok_codes, None), "a huge file with no newline": (ok_codes, None),
            "invalid UTF-8 in the path": (ok_codes | {2}, "bad-"),
        }
        for what, (codes, mention) in expect.items():
            path = self.inputs[what]
            user = "nobody" if what == "an unreadable file" else None
            self.run_once(f"{sub} {what}", argv_for(path), codes, must_mention=mention, user=user)
        # A FIFO with a writer: read as it comes (process substitution), the error found.
        if self.wanted(f"{sub} a FIFO"):
            fifo = self.inputs["a FIFO"]
            writer = threading.Thread(target=lambda: open(fifo, "w").write(ERROR_LINE))
            writer.start()
            self.run_once(f"{sub} a FIFO (with a writer)", argv_for(fifo), ok_codes)
            writer.join(timeout=LIMIT)

    def run_all(self):
        b = self.inputs
        # scan: every bad path; compressed and corrupt files.
        self.paths_for_reading("scan", lambda p: ["scan", p], {0})
        corrupt = self.write("corrupt.log.gz", b"\x1f\x8b\x08\x00" + b"not really gzip" * 10)
        self.run_once("scan a corrupt .gz (never '0 matched')", ["scan", corrupt], {2}, must_mention=["corrupt\\.log\\.gz", "gzip"])
        truncated = self.path("truncated.log.xz")
        subprocess.run(f"xz -c {ROOT}/Samples/litellm-proxy.log | head -c 1000 > {truncated}", shell=True, check=True)
        self.run_once("scan a truncated .xz", ["scan", truncated], {2}, must_mention=["truncated", "xz"])
        self.run_once("scan --journal-dir a file", ["scan", "--journal-dir", self.write("not-a-journal", "x")], {2},
                      must_mention="not-a-journal")
        self.run_once("scan --journal-dir a missing directory", ["scan", "--journal-dir", self.path("no-journal")], {2},
                      must_mention="no-journal")
        # test LOGFILE
        self.paths_for_reading("test", lambda p: ["test", p], {0, 1})
        # explain --file
        self.run_once("explain --line binary garbage", ["explain", "--line", "\x01\x02\x7f garbage"], {0, 1})
        # rules check / scan --rules: a file, a missing dir, one broken rule.
        broken = self.path("rules-broken")
        shutil.copytree(os.path.join(ROOT, "Rules"), broken)
        first = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(broken) for f in fs if f.endswith(".yaml"))[0]
        with open(first, "a") as f:
            f.write("\npattern: [unclosed\n  bad: : :\n")
        for what, path in [("a rules dir with one broken rule", broken), ("a file as the rules dir", b["a 0-byte file"]),
                           ("a missing rules dir", self.path("no-rules")), ("an unreadable rules dir", None),
                           ("a directory as the rules dir's rule", None)]:
            if path is None:
                continue
            self.run_once(f"rules check {what}", ["rules", "check", path], {1, 2},
                          must_mention=os.path.basename(path))
            self.run_once(f"scan --rules {what}", ["scan", "--rules", path, os.path.join(ROOT, "Samples/litellm-proxy.log")],
                          {2}, must_mention=os.path.basename(path))
        # entries build --out: a file, an unwritable place.
        self.run_once("entries build --out a file", ["entries", "build", "--out", b["a 0-byte file"]], {2},
                      must_mention="empty.log")
        self.run_once("entries build --out /dev/null", ["entries", "build", "--out", "/dev/null"], {2},
                      must_mention="/dev/null")
        # The config file itself.
        for what in ["a directory", "a FIFO", "a socket", "/dev/zero", "an unreadable file", "a symlink loop",
                     "a dangling symlink", "a missing path", "binary garbage", "a huge file with no newline",
                     "invalid UTF-8 in the path"]:
            path = b[what]
            user = "nobody" if what == "an unreadable file" else None
            if what == "a FIFO":
                continue  # a config FIFO blocks like `cat` would: not a config mistake an operator makes by accident
            for sub in (["config", "check", "--config"], ["run", "--config"]):
                self.run_once(f"{sub[0]} --config {what}", sub + [path], {1, 2}, must_mention=["bad-" if "UTF" in what else re.escape(path)],
                              user=user)
        self.config_cases()
        self.follow_cases()

    def config(self, name, text):
        return self.write(f"configs/{name}.yaml", text)

    def config_cases(self):
        b = self.inputs
        state = self.path("state")
        base = f"state_dir: {state}\nhttp:\n  listen: off\n"
        wrong_types = {
            "state_dir": "state_dir: [1, 2]\n",
            "links": "links: 5\n", "links.base_url": "links:\n  base_url: {a: 1}\n",
            "http": "http: [x]\n", "http.listen": "http:\n  listen: [1]\n",
            "rules": "rules: 3\n", "rules.dirs": "rules:\n  dirs: {a: b}\n", "rules.disable": "rules:\n  disable: 5\n",
            "sources": "sources: text\n", "sources[0]": "sources: [5]\n", "sources[0].type": "sources:\n  - type: [file]\n",
            "sources[0].paths": "sources:\n  - type: file\n    paths: 7\n",
            "sources[0].from": "sources:\n  - type: file\n    paths: [/tmp/x.log]\n    from: [1]\n",
            "journal units": "sources:\n  - type: journal\n    units: 7\n",
            "journal matches": "sources:\n  - type: journal\n    matches: {a: b}\n",
            "journal directory": "sources:\n  - type: journal\n    directory: [a]\n",
            "docker container": "sources:\n  - type: docker\n    container: [a]\n",
            "cri paths": "sources:\n  - type: cri\n    paths: {a: b}\n",
            "stdin format": "sources:\n  - type: stdin\n    format: 12\n",
            "policy": "policy: 1\n", "policy.group_wait": "policy:\n  group_wait: [1]\n",
            "policy.group_interval": "policy:\n  group_interval: {a: 1}\n", "policy.repeat_interval": "policy:\n  repeat_interval: true\n",
            "policy.resolve_after": "policy:\n  resolve_after: -5m\n",
            "sinks": "sinks: 1\n", "sinks[0].name": "sinks:\n  - name: [1]\n    type: stdout\n",
            "sinks[0].type": "sinks:\n  - name: a\n    type: 5\n",
            "sinks[0].url": "sinks:\n  - name: a\n    type: slack\n    url: [1]\n",
            "sinks[0].url_env": "sinks:\n  - name: a\n    type: slack\n    url_env: {a: 1}\n",
            "sinks[0].url_file": "sinks:\n  - name: a\n    type: slack\n    url_file: [1]\n",
            "sinks[0].classes": "sinks:\n  - name: a\n    type: stdout\n    classes: 3\n",
            "sinks[0].min_severity": "sinks:\n  - name: a\n    type: stdout\n    min_severity: []\n",
            "sinks[0].max_per_minute": "sinks:\n  - name: a\n    type: stdout\n    max_per_minute: abc\n",
            "sinks[0].timeout": "sinks:\n  - name: a\n    type: stdout\n    timeout: [1]\n",
            "outbox": "outbox: 1\n", "outbox.max_notices": "outbox:\n  max_notices: lots\n",
        }
        for key, text in wrong_types.items():
            body = text if key.startswith(("state_dir", "http")) else base + text
            path = self.config("wrong-" + re.sub(r"[^a-z0-9]+", "-", key), body)
            self.run_once(f"config check: {key} of the wrong type", ["config", "check", "--config", path], {1},
                          must_mention=re.escape(os.path.basename(path)))
            self.run_once(f"run: {key} of the wrong type", ["run", "--config", path], {2},
                          must_mention=re.escape(os.path.basename(path)))
        # Sources that `run` cannot follow: `config check` must say so too (same exit 1 / 2 split).
        for what in ["a directory", "a socket", "/dev/zero", "a symlink loop"]:
            for kind in ["file", "cri"]:
                path = self.config(f"source-{kind}-{re.sub('[^a-z0-9]+', '-', what)}",
                                   base + f"sources:\n  - type: {kind}\n    paths: ['{b[what]}']\n")
                self.run_once(f"config check: {kind} source is {what}", ["config", "check", "--config", path], {1},
                              must_mention=re.escape(b[what]))
                self.run_once(f"run: {kind} source is {what}", ["run", "--config", path], {2}, must_mention=re.escape(b[what]))
        for what, directory in [("a file", b["a 0-byte file"]), ("missing", self.path("no-journal-dir"))]:
            path = self.config(f"journal-dir-{what}", base + f"sources:\n  - type: journal\n    directory: {directory}\n")
            self.run_once(f"config check: journal directory {what}", ["config", "check", "--config", path], {1},
                          must_mention=re.escape(directory))
            self.run_once(f"run: journal directory {what}", ["run", "--config", path], {2}, must_mention=re.escape(directory))
        path = self.config("docker-missing", base + "sources:\n  - type: docker\n    container: nosuchcontainer\n")
        self.run_once("config check: docker container missing", ["config", "check", "--config", path], {1}, must_mention="nosuchcontainer")
        self.run_once("run: docker container missing", ["run", "--config", path], {2}, must_mention="nosuchcontainer")
        # Credentials files (url_file).
        for what in ["a directory", "a missing path", "a 0-byte file", "binary garbage", "an unreadable file", "a symlink loop"]:
            path = self.config(f"cred-{re.sub('[^a-z0-9]+', '-', what)}",
                               base + f"sinks:\n  - name: hook\n    type: slack\n    url_file: '{b[what]}'\n")
            user = "nobody" if what == "an unreadable file" else None
            if user:
                os.chmod(path, 0o644)
            self.run_once(f"config check: url_file is {what}", ["config", "check", "--config", path], {1, 2},
                          must_mention=re.escape(os.path.basename(b[what])), user=user)
        # Broken YAML, an empty config, a rules dir with one broken rule in the config.
        path = self.config("broken-yaml", base + "sources: [\n  - : :\n")
        self.run_once("config check: broken YAML", ["config", "check", "--config", path], {1}, must_mention="broken-yaml")
        path = self.config("broken-rule", base + f"rules:\n  dirs: ['{self.path('rules-broken')}']\n")
        self.run_once("config check: a rules dir with one broken rule", ["config", "check", "--config", path], {1},
                      must_mention="rules-broken")
        self.run_once("run: a rules dir with one broken rule", ["run", "--config", path], {2}, must_mention="rules-broken")

    def follow_cases(self):
        b = self.inputs
        waiting = r"does not exist yet; waiting"
        for flag in ["--follow", "--cri"]:
            for what in ["a directory", "a socket", "/dev/zero", "/dev/null", "a symlink loop"]:
                self.run_once(f"{flag} {what}", [flag, b[what]], {2}, must_mention=re.escape(b[what]), max_err_lines=1)
            self.run_once(f"{flag} an unreadable file", [flag, b["an unreadable file"]], {2},
                          must_mention="[Pp]ermission denied", user="nobody", max_err_lines=1)
        # Waits as tail -F does, says so once, then reads the file when it appears.
        for what in ["a missing path", "a dangling symlink"]:
            target = b[what] if what == "a missing path" else self.path("nowhere/at/all.log")
            def create(run, target=target):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "a") as f:
                    f.write(ERROR_LINE)
            self.follow(f"--follow {what} (waits, says so once, reads it when it appears)",
                        ["--follow", b[what], "--json"],
                        [self.says(waiting), create, self.matched(1), self.said_once(waiting)])
        # Read from the start (--from-start), so what the test appends is read whether or not the
        # follower was already at the end; the errors already in the file count too.
        for what in ["a 0-byte file", "binary garbage", "a 100 MB line", "a huge file with no newline"]:
            copy = self.path("follow-" + os.path.basename(b[what]))
            shutil.copyfile(b[what], copy)
            with open(copy, "rb") as f:
                before = f.read().count(ERROR_LINE.encode())
            # A file without a final newline: the next write finishes that line first.
            self.follow(f"--follow {what}", ["--follow", copy, "--json", "--from-start"],
                        [self.append(copy, "\n" + ERROR_LINE), self.matched(before + 1)])
        fifo = self.path("follow-fifo")
        os.mkfifo(fifo)
        def feed(run):
            with open(fifo, "w") as f:
                f.write(ERROR_LINE)
            return None
        self.follow("--follow a FIFO", ["--follow", fifo, "--json"], [feed, self.matched(1)])
        # Deleted while followed, then created again; replaced by a directory.
        gone = self.path("deleted.log")
        open(gone, "w").close()
        def delete(run):
            os.unlink(gone)
        def recreate(run):
            with open(gone, "w") as f:
                f.write(ERROR_LINE)
        self.follow("--follow a file deleted while followed (then created again)", ["--follow", gone, "--json", "--from-start"],
                    [self.append(gone), self.matched(1), delete, recreate, self.matched(2)])
        swapped = self.path("swapped.log")
        open(swapped, "w").close()
        def to_directory(run):
            os.unlink(swapped)
            os.mkdir(swapped)
        self.follow("--follow a file replaced by a directory", ["--follow", swapped, "--json", "--from-start"],
                    [self.append(swapped), self.matched(1), to_directory, self.says("replaced by a directory|is a directory")])
        # Docker, journal, stdin.
        self.run_once("--docker a missing container", ["--docker", "nosuchcontainer"], {2}, must_mention="nosuchcontainer")
        self.run_once("--journal --journal-dir a file", ["--journal-dir", b["a 0-byte file"]], {2}, must_mention="empty.log")
        self.run_once("--journal --journal-dir missing", ["--journal-dir", self.path("no-journal")], {2}, must_mention="no-journal")
        empty_journal = self.path("empty-journal")
        os.mkdir(empty_journal)
        self.follow("--journal --journal-dir an empty directory (waits)", ["--journal-dir", empty_journal],
                    [self.says("waiting for journal files")])
        for what in ["binary garbage", "a 100 MB line", "a huge file with no newline", "a 0-byte file"]:
            with open(b[what], "rb") as f:
                self.run_once(f"--stdin {what}", ["--stdin"], {0}, stdin=f)
            with open(b[what], "rb") as f:
                self.run_once(f"--stdin --format journal-json {what}", ["--stdin", "--format", "journal-json"], {0}, stdin=f)
        with open("/dev/null", "rb") as f:
            self.run_once("scan - from /dev/null", ["scan", "-"], {0}, stdin=f)
        self.run_once("--follow with no path", ["--follow"], {2}, must_mention="follow")
        self.run_once("--idle-ms not a number", ["--stdin", "--idle-ms", "abc"], {2}, must_mention="idle-ms")
        self.run_once("--webhook not a URL", ["--stdin", "--webhook", "not a url"], {2}, must_mention="webhook")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/debug/logwatch"))
    parser.add_argument("--only")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    matrix = Matrix(binary, args.only)
    try:
        matrix.run_all()
    finally:
        if not args.keep:
            shutil.rmtree(matrix.dir, ignore_errors=True)
    print(f"bad-input matrix: {len(matrix.rows)} cases, {len(matrix.rows) - matrix.failures} passed, {matrix.failures} failed")
    sys.exit(1 if matrix.failures else 0)


if __name__ == "__main__":
    main()
