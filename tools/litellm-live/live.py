#!/usr/bin/env python3
"""Real-LiteLLM test bench: capture per-scenario proxy logs, then classify them with logwatch.

  live.py venv VERSION                 create/reuse ~/.cache/logwatch/litellm-live/venvs/VERSION
  live.py capture VERSION [--formats text,json,debug] [--out DIR] [--only NAME,...]
                                       run the scenarios against the real proxy (inside a
                                       loopback-only network namespace) and write DIR/VERSION/FORMAT/NAME.log
  live.py check [--dir DIR] [--releases ...] [--formats ...] [--bin B] [--rules R]
                                       classify every captured log, print the matrix, compare
                                       with manifest.json and known-wrong.txt (exit 1 on unexpected)
  live.py manifest [--dir DIR]         rewrite DIR/manifest.json from scenarios.py and the logs present

See README.md.
"""
import argparse
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import scenarios as sc  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(REPO, "Tests", "Fixtures", "litellm-live")
CACHE = os.path.expanduser(os.environ.get("LOGWATCH_LIVE_CACHE", "~/.cache/logwatch/litellm-live"))
FORMATS = ("text", "json", "debug")
# The releases of the matrix: one 1.5x-1.6x, the 1.7x the taxonomy was read from, the newest
# that installs here. NEWEST is the one `make test` checks.
RELEASES = ("1.110.2", "1.74.9", "1.65.8")
NEWEST = RELEASES[0]
# Releases whose [proxy] extra pip cannot resolve from the index here (it names packages the
# index lacks): litellm is installed bare, then each requirement of the extra on its own, so the
# ones that exist get installed and a missing one only costs that feature (README.md).
EXTRA_BY_HAND = {"1.110.2"}
QUIET_S = float(os.environ.get("LOGWATCH_LIVE_QUIET", "1.0"))   # no output this long: scenario over
# A proxy start takes 5-15 s on an idle machine and over 100 s on a crowded one.
STARTUP_LIMIT_S = float(os.environ.get("LOGWATCH_LIVE_STARTUP_LIMIT", "600"))


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------- venvs
def venv_dir(version):
    return os.path.join(CACHE, "venvs", version)


def ensure_venv(version):
    """Create the release's venv once; a finished venv has a .complete stamp and is reused."""
    d = venv_dir(version)
    stamp = os.path.join(d, ".complete")
    if os.path.exists(stamp):
        return d
    log(f"[venv] creating {d}")
    if not os.path.exists(os.path.join(d, "bin", "python")):
        subprocess.run([sys.executable, "-m", "venv", d], check=True)
    pip = [os.path.join(d, "bin", "pip"), "install", "-q", "--disable-pip-version-check"]
    if version in EXTRA_BY_HAND:
        subprocess.run(pip + [f"litellm=={version}"], check=True)
        reqs = proxy_extra(d, version)
        # One resolve for all; a requirement the index cannot satisfy is dropped (and named) and
        # the rest retried, so a fresh machine needs a few pip runs, not one per package.
        import re
        for _ in range(len(reqs)):
            r = subprocess.run(pip + reqs, capture_output=True, text=True)
            if r.returncode == 0:
                break
            m = re.search(r"(?:No matching distribution found for|satisfies the requirement) ([A-Za-z0-9_.-]+)", r.stderr)
            bad = [q for q in reqs if m and _name(q) == _name(m.group(1))]
            if not bad:
                raise SystemExit(f"[venv] {version}: pip failed: {r.stderr.strip()[-500:]}")
            log(f"[venv] {version}: {bad[0].split(';')[0].strip()} not installable here, skipped")
            reqs.remove(bad[0])
    else:
        subprocess.run(pip + [f"litellm[proxy]=={version}"], check=True)
    open(stamp, "w").write(version + "\n")
    return d


def _name(req):
    """A requirement's project name, normalised as pip compares them."""
    import re
    return re.split(r"[^A-Za-z0-9_.-]", req.strip(), 1)[0].lower().replace("_", "-").replace(".", "-")


def proxy_extra(venv, version):
    """The requirements of litellm's [proxy] extra, read from the installed wheel's METADATA."""
    import glob
    meta = glob.glob(os.path.join(venv, "lib", "python3*", "site-packages", f"litellm-{version}.dist-info", "METADATA"))
    reqs = []
    for line in open(meta[0]):
        if line.startswith("Requires-Dist:") and "extra == 'proxy'" in line:
            req, _, marker = line[len("Requires-Dist:"):].partition(";")
            # Keep the marker (python version / platform); pip evaluates it.
            marker = marker.replace("and extra == 'proxy'", "").replace("extra == 'proxy'", "").strip()
            reqs.append(req.strip() + (f" ; {marker}" if marker else ""))
    return reqs


# ---------------------------------------------------------------------------- proxy process
class Proxy:
    """One proxy process; stdout and stderr share one pipe so their order is the order written."""

    def __init__(self, venv, config_path, fmt, env_extra=None, port=sc.PROXY_PORT, workdir=None):
        self.lines = []
        self.last = time.monotonic()
        self.lock = threading.Lock()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("OPENAI", "AZURE", "ANTHROPIC", "AWS", "GEMINI", "LITELLM", "DATABASE_URL", "JSON_LOGS"))}
        env.update({"PYTHONUNBUFFERED": "1", "PYTHONPATH": HERE, "NO_COLOR": "1",
                    "LOGWATCH_VERDICT_FILE": os.path.join(workdir, "verdict.jsonl"),
                    # The cost map fetch fails at once inside the namespace; say so explicitly.
                    "HOME": workdir, "DISABLE_SCHEMA_UPDATE": "true"})
        if fmt == "json":
            env["JSON_LOGS"] = "True"
        env.update(env_extra or {})
        cmd = [os.path.join(venv, "bin", "litellm"), "--config", config_path, "--host", "127.0.0.1",
               "--port", str(port)]
        if fmt == "debug":
            cmd.append("--detailed_debug")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env, cwd=workdir)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in iter(self.proc.stdout.readline, b""):
            with self.lock:
                self.lines.append(raw.decode("utf-8", "replace"))
                self.last = time.monotonic()

    def mark(self):
        with self.lock:
            return len(self.lines)

    def since(self, i):
        with self.lock:
            return self.lines[i:]

    def wait_quiet(self, quiet=QUIET_S, limit=30.0):
        """Return when nothing was written for `quiet` seconds (or the process ended)."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < limit:
            with self.lock:
                idle = time.monotonic() - self.last
            if idle >= quiet or (self.proc.poll() is not None and not self.reader.is_alive()):
                return
            time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(5)


def http(method, path, key=sc.MASTER_KEY, body=None, raw_auth=None, timeout=60):
    url = f"http://127.0.0.1:{sc.PROXY_PORT}{path}"
    data = json.dumps(body).encode() if body is not None else None
    rq = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        rq.add_header("content-type", "application/json")
    if raw_auth is not None:
        rq.add_header("Authorization", raw_auth)
    elif key is not None:
        rq.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(rq, timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        e.read()
        return e.code
    except Exception as e:  # broken streams end here; the proxy's log is what matters
        return f"error: {type(e).__name__}"


def wait_ready(proxy, limit=180.0):
    """Ready when /health/liveliness answers 200; False if the process exits or time runs out."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if proxy.proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", sc.PROXY_PORT), timeout=0.5):
                pass
            if http("GET", "/health/liveliness", key=None, timeout=5) == 200:
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


# ---------------------------------------------------------------------------- configs
def yaml_dump(obj, indent=0):
    """A tiny YAML writer (JSON scalars are valid YAML), so the harness needs no PyYAML."""
    pad = "  " * indent
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, (dict, list)) and v:
                out.append(f"{pad}{k}:")
                out.append(yaml_dump(v, indent + 1))
            else:
                out.append(f"{pad}{k}: {json.dumps(v)}")
    elif isinstance(obj, list):
        for v in obj:
            if isinstance(v, (dict, list)) and v:
                sub = yaml_dump(v, indent + 1).lstrip()
                out.append(f"{pad}- {sub}")
            else:
                out.append(f"{pad}- {json.dumps(v)}")
    return "\n".join(out)


def base_config(deps, litellm_settings=None):
    seen, model_list = set(), []
    for d in deps:
        key = json.dumps(d, sort_keys=True)
        if key not in seen:
            seen.add(key)
            model_list.append(d)
    ls = {"callbacks": ["logwatch_verdict.handler"], "drop_params": False}
    ls.update(litellm_settings or {})
    return {
        "model_list": model_list,
        "litellm_settings": ls,
        # Router defaults otherwise (retries, allowed_fails, cooldown): the logs are what a
        # stock proxy writes.
        "router_settings": {"fallbacks": [{"fallback-primary": ["openai-ok"]}]},
        "general_settings": {"master_key": sc.MASTER_KEY},
    }


def main_deps(names):
    deps = [sc._dep("openai-ok", "openai", "ok"), sc._dep("anthropic-ok", "anthropic", "ok")]
    for n in names:
        deps += sc.SCENARIOS[n]["deps"]
    return deps


# ---------------------------------------------------------------------------- capture
def tls_context(workdir):
    cert, key = os.path.join(workdir, "cert.pem"), os.path.join(workdir, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=fake-provider.local", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


def keep(line):
    """The harness's own readiness probes (only sent while a proxy starts) belong to no scenario."""
    return "/health/liveliness" not in line


def write_log(path, lines):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.writelines(lines)


def take_verdicts(workdir, dest):
    src = os.path.join(workdir, "verdict.jsonl")
    if os.path.exists(src) and os.path.getsize(src):
        shutil.move(src, dest)
    elif os.path.exists(dest):
        os.remove(dest)


def run_requests(proxy, reqs):
    codes = []
    for r in reqs:
        codes.append(http(r["method"], r["path"], key=r.get("key"), body=r.get("body"),
                          raw_auth=r.get("raw_auth")))
        proxy.wait_quiet(0.3, 10)   # let retries/cooldown bookkeeping land before the next one
    return codes


def capture_main(venv, fmt, outdir, names, workdir):
    cfg = os.path.join(workdir, "main.yaml")
    open(cfg, "w").write(yaml_dump(base_config(main_deps(names))) + "\n")
    proxy = Proxy(venv, cfg, fmt, workdir=workdir)
    try:
        if not wait_ready(proxy, limit=STARTUP_LIMIT_S):
            log("".join(proxy.since(0))[-3000:])
            raise SystemExit(f"[capture] proxy did not become ready ({fmt})")
        proxy.wait_quiet()
        write_log(os.path.join(outdir, "benign-startup.log"), [ln for ln in proxy.since(0) if keep(ln)])
        take_verdicts(workdir, os.path.join(outdir, "benign-startup.verdict.jsonl"))
        for n in names:
            s = sc.SCENARIOS[n]
            i = proxy.mark()
            codes = run_requests(proxy, s["requests"])
            proxy.wait_quiet()
            lines = proxy.since(i)
            write_log(os.path.join(outdir, n + ".log"), lines)
            take_verdicts(workdir, os.path.join(outdir, n + ".verdict.jsonl"))
            log(f"[capture] {fmt} {n}: http {codes}, {len(lines)} lines")
    finally:
        proxy.stop()


def capture_startup(venv, fmt, outdir, name, workdir):
    s = sc.SCENARIOS[name]
    cfg = s.get("config_path")
    if cfg is None:
        cfg = os.path.join(workdir, name + ".yaml")
        text = s.get("config_text") or (yaml_dump(base_config(main_deps([]), s.get("litellm_settings"))) + "\n")
        open(cfg, "w").write(text)
    blocker = None
    if s.get("occupy_port"):
        blocker = socket.socket()
        blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        blocker.bind(("127.0.0.1", sc.PROXY_PORT))
        blocker.listen(1)
    proxy = Proxy(venv, cfg, fmt, env_extra=s.get("env"), workdir=workdir)
    try:
        if blocker is None:
            # Ready, or exited: a proxy that is neither after STARTUP_LIMIT_S is a harness
            # problem (a busy machine), said out loud rather than captured half.
            ready = wait_ready(proxy, limit=STARTUP_LIMIT_S)
            if not ready and proxy.proc.poll() is None:
                raise SystemExit(f"[capture] {name}: proxy neither ready nor exited after {STARTUP_LIMIT_S:.0f}s")
            # ready_request: that many requests once the proxy is up (True: one).
            for _ in range(int(s.get("ready_request") or 0) if ready else 0):
                http("POST", "/chat/completions", body=sc.chat("openai-ok")["body"])
                proxy.wait_quiet(0.3, 10)
        else:
            proxy.proc.wait(STARTUP_LIMIT_S)
        proxy.wait_quiet(2.0, 60)
    finally:
        proxy.stop()
        if blocker:
            blocker.close()
    lines = [ln for ln in proxy.since(0) if keep(ln)]
    write_log(os.path.join(outdir, name + ".log"), lines)
    take_verdicts(workdir, os.path.join(outdir, name + ".verdict.jsonl"))
    log(f"[capture] {fmt} {name}: exit {proxy.proc.returncode}, {len(lines)} lines")


def capture_inside(version, formats, out, only):
    """Runs inside the namespace: fake provider up, then each format's proxy runs."""
    import fakeprovider
    venv = venv_dir(version)
    workdir = tempfile.mkdtemp(prefix="litellm-live-")
    shutil.copy(os.path.join(HERE, "logwatch_verdict.py"), workdir)
    fakeprovider.serve(sc.PROVIDER_PORT)
    fakeprovider.serve(sc.TLS_PORT, tls_context(workdir))
    names = [s["name"] for s in sc.S if not only or s["name"] in only]
    for fmt in formats:
        outdir = os.path.join(out, version, fmt)
        reqs = [n for n in names if sc.SCENARIOS[n]["kind"] == "request"]
        t0 = time.monotonic()
        if reqs:
            capture_main(venv, fmt, outdir, reqs, workdir)
        for n in names:
            if sc.SCENARIOS[n]["kind"] == "startup":
                capture_startup(venv, fmt, outdir, n, workdir)
        log(f"[capture] {version} {fmt}: {time.monotonic() - t0:.0f}s")
    shutil.rmtree(workdir, ignore_errors=True)


def cmd_capture(a):
    ensure_venv(a.version)
    if os.environ.get("LOGWATCH_LIVE_IN_NS") != "1":
        # Re-enter in a private, loopback-only network namespace: nothing leaves the machine and
        # the remote cost-map fetch fails at once.
        probe = subprocess.run(["unshare", "-rn", "sh", "-c", "ip link set lo up"], capture_output=True, text=True)
        if probe.returncode != 0:
            raise SystemExit("litellm-live: cannot create a loopback-only network namespace (unshare -rn, ip from "
                             f"iproute2): {probe.stderr.strip() or 'exit ' + str(probe.returncode)}")
        inner = " ".join(["exec", sys.executable, os.path.abspath(__file__)] + [f"'{x}'" for x in sys.argv[1:]])
        os.environ["LOGWATCH_LIVE_IN_NS"] = "1"
        return subprocess.call(["unshare", "-rn", "sh", "-c", f"ip link set lo up && {inner}"])
    formats = a.formats.split(",")
    capture_inside(a.version, formats, a.out, set(a.only.split(",")) if a.only else None)
    write_manifest(a.out)
    return 0


# ---------------------------------------------------------------------------- manifest
def write_manifest(root):
    """manifest.json: every scenario's expected class and description, and which logs exist."""
    logs = {}
    for rel in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        for fmt in FORMATS:
            d = os.path.join(root, rel, fmt)
            if os.path.isdir(d):
                logs.setdefault(rel, {})[fmt] = sorted(f[:-4] for f in os.listdir(d) if f.endswith(".log"))
    known_names = {s["name"] for s in sc.S} | {"benign-startup"}
    for rel, fmts in logs.items():
        for fmt, names in fmts.items():
            for n in [n for n in names if n not in known_names]:
                log(f"[manifest] {rel}/{fmt}/{n}.log: no such scenario in scenarios.py, left out")
                names.remove(n)
    scen = {"benign-startup": {"expect": "none", "kind": "startup",
                               "desc": "Start of the main proxy (banner, cost-map fallback, router set-up) up to ready"}}
    for s in sc.S:
        scen[s["name"]] = {"expect": s["expect"], "kind": s["kind"], "desc": s["desc"]}
        if s.get("expect_by"):
            scen[s["name"]]["expect_by"] = s["expect_by"]
    doc = {
        "about": "Logs written by real LiteLLM proxies (tools/litellm-live). Path: <release>/<format>/<scenario>.log; "
                 "<scenario>.verdict.jsonl holds LiteLLM's own error classification per failed call when the "
                 "release computes one. expect: the one logwatch class the log must get (none: no class at all); "
                 "expect_by overrides it for a '<release>' or '<release>/<format>' where LiteLLM itself logs "
                 "differently (e.g. writes nothing for the failure). "
                 "Logs are not edited: only the harness's own readiness probes (GET /health/liveliness while a proxy "
                 "starts) are left out of benign-startup and the startup scenarios. Committed: every format of the "
                 "newest release, text and json of the older ones (their --detailed_debug logs are several MB; "
                 "`make live` captures and checks them).",
        "formats": {"text": "default plain format", "json": "JSON_LOGS=True", "debug": "--detailed_debug"},
        "scenarios": scen,
        "logs": logs,
    }
    with open(os.path.join(root, "manifest.json"), "w") as fh:
        json.dump(doc, fh, indent=1, sort_keys=False)
        fh.write("\n")


def cmd_manifest(a):
    write_manifest(a.dir)
    return 0


# ---------------------------------------------------------------------------- check
def load_known_wrong(path):
    """known-wrong.txt: `scenario<TAB>release<TAB>format<TAB>logwatch gives<TAB>why`; `*` matches any."""
    rows = []
    if not os.path.exists(path):
        return rows
    for n, line in enumerate(open(path), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        f = line.split("\t")
        if len(f) < 5:
            raise SystemExit(f"{path}:{n}: expected 5 tab-separated fields (scenario, release, format, gives, why)")
        rows.append({"scenario": f[0], "release": f[1], "format": f[2], "gives": f[3], "why": f[4], "used": False})
    return rows


def known(rows, scen, rel, fmt):
    for r in rows:
        if r["scenario"] in (scen, "*") and r["release"] in (rel, "*") and r["format"] in (fmt, "*"):
            return r
    return None


def classify(binary, rules, paths):
    """{path: {class: {rule ids}}}: the classes of the INCIDENTS `logwatch scan --summary` reports
    for each file, with the rules whose records each class's incidents hold. Incidents, not
    records: what one failure leaves behind (its access line, the router cooldown it caused)
    joins the failure's incident and raises no class of its own, which is what an operator is
    told. One scan per file (each its own desk), a few at a time. Raises on a scan failure."""
    import concurrent.futures, re
    head = re.compile(r"^  (\w+)\s+\d+ records\s+\d+ incidents?$")
    rule = re.compile(r"^    (\S+)\s+\d+$")

    def one(path):
        cmd = [binary, "scan", "--summary"] + (["--rules", rules] if rules else []) + [path]
        r = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
        if r.returncode != 0:
            raise SystemExit(f"logwatch scan failed (exit {r.returncode}) on {path}: {r.stderr.strip()[:300]}")
        got, current = {}, None
        for line in r.stdout.splitlines():
            m = head.match(line)
            if m:
                current = got.setdefault(m.group(1), set())
                continue
            m = rule.match(line)
            if m and current is not None:
                current.add(m.group(1))
        return path, got

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return dict(pool.map(one, paths))


def why_wrong(expect, got):
    """What is wrong, by rule: the start of a known-wrong.txt reason."""
    parts = []
    if expect != "none" and expect not in got:
        parts.append(f"{expect} missing")
    for c in sorted(got):
        if c != expect:
            parts.append(f"extra {c} from {'/'.join(sorted(got[c])[:3])}")
    return "; ".join(parts)


def expected(entry, rel, fmt):
    by = entry.get("expect_by", {})
    return by.get(f"{rel}/{fmt}", by.get(rel, entry["expect"]))


def cmd_check(a):
    root = a.dir
    man = json.load(open(os.path.join(root, "manifest.json")))
    rows = load_known_wrong(a.known_wrong)
    releases = a.releases.split(",") if a.releases else sorted(
        man["logs"], key=lambda v: tuple(int(x) for x in v.split(".") if x.isdigit()), reverse=True)
    formats = a.formats.split(",") if a.formats else list(FORMATS)
    results = []   # (scenario, release, format, expect, got, ok)
    for rel in releases:
        for fmt in formats:
            names = man["logs"].get(rel, {}).get(fmt, [])
            paths = [os.path.join(root, rel, fmt, n + ".log") for n in names]
            got_all = classify(a.bin, a.rules, paths) if paths else {}
            for scen, path in zip(names, paths):
                expect = expected(man["scenarios"][scen], rel, fmt)
                got = got_all[path]
                ok = (not got) if expect == "none" else (set(got) == {expect})
                results.append((scen, rel, fmt, expect, got, ok))
    if not results:
        raise SystemExit(f"no captured logs under {root} for releases {releases} formats {formats}")
    # The matrix: one row per scenario, one column per release/format.
    cols = [(r, f) for r in releases for f in formats
            if any(x[1] == r and x[2] == f for x in results)]
    by = {(x[0], x[1], x[2]): x for x in results}
    scen_names = list(dict.fromkeys(x[0] for x in results))
    w = max(len(s) for s in scen_names)
    print(f"{'scenario':<{w}}  {'expect':<7} " + " ".join(f"{r + '/' + f:<22}" for r, f in cols))
    unexpected, listed, fixed = [], [], []
    for s in scen_names:
        cells = []
        for r, f in cols:
            x = by.get((s, r, f))
            if x is None:
                cells.append(f"{'-':<22}")
                continue
            gave = ",".join(sorted(x[4])) or "none"
            k = known(rows, s, r, f)
            if x[5]:
                mark = "ok"
                if k:
                    k["used"] = True
                    fixed.append((s, r, f))
                    mark = "FIXED"
            elif k:
                k["used"] = True
                mark = "known"
                listed.append((s, r, f, gave))
            else:
                mark = "WRONG"
                unexpected.append((s, r, f, x[3], gave))
            cells.append(f"{mark + ' ' + gave:<22}")
        print(f"{s:<{w}}  {man['scenarios'][s]['expect']:<7} " + " ".join(cells))
    print()
    for r, f in cols:
        xs = [x for x in results if x[1] == r and x[2] == f]
        print(f"{r}/{f}: {sum(x[5] for x in xs)}/{len(xs)} right")
    total_ok = sum(x[5] for x in results)
    print(f"total: {total_ok}/{len(results)} right; {len(listed)} wrong and listed in known-wrong.txt; "
          f"{len(unexpected)} wrong and not listed")
    for s, r, f in fixed:
        print(f"FIXED — remove from known-wrong: {s} {r} {f}")
    for s, r, f, e, g in unexpected:
        print(f"UNEXPECTED: {s} {r}/{f}: expected {e}, logwatch gives {g}")
    if a.emit_known_wrong:
        # Draft lines for known-wrong.txt (review before committing them).
        with open(a.emit_known_wrong, "w") as fh:
            for x in results:
                if not x[5]:
                    fh.write("\t".join([x[0], x[1], x[2], ",".join(sorted(x[4])) or "none", why_wrong(x[3], x[4])]) + "\n")
    return 1 if unexpected and not a.report else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("venv")
    p.add_argument("version")
    p = sub.add_parser("capture")
    p.add_argument("version")
    p.add_argument("--formats", default=",".join(FORMATS))
    p.add_argument("--out", default=FIXTURES)
    p.add_argument("--only", default="")
    p = sub.add_parser("releases", help="print the matrix's releases, newest first")
    p.add_argument("--newest", action="store_true")
    p = sub.add_parser("manifest")
    p.add_argument("--dir", default=FIXTURES)
    p = sub.add_parser("check")
    p.add_argument("--dir", default=FIXTURES)
    p.add_argument("--releases", default="")
    p.add_argument("--formats", default="")
    p.add_argument("--bin", default=os.path.join(REPO, ".build", "debug", "logwatch"))
    p.add_argument("--rules", default=os.environ.get("LOGWATCH_RULES", ""))
    p.add_argument("--known-wrong", default=os.path.join(HERE, "known-wrong.txt"))
    p.add_argument("--emit-known-wrong", default="", help="write every wrong log as a known-wrong.txt line here")
    p.add_argument("--report", action="store_true", help="print the matrix, exit 0 even when logs are wrong")
    a = ap.parse_args()
    if a.cmd == "releases":
        print(NEWEST if a.newest else " ".join(RELEASES))
        return 0
    if a.cmd == "venv":
        print(ensure_venv(a.version))
        return 0
    return {"capture": cmd_capture, "manifest": cmd_manifest, "check": cmd_check}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
