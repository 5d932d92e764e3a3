#!/usr/bin/env python3
"""Writes Samples/litellm-journal.export: Samples/litellm-proxy.log as journald would hold it.

LiteLLM runs as litellm.service: journald makes one entry per stdout line (so tracebacks arrive
as many entries); one context-window error is sent whole, as a multi-line MESSAGE (what a
native journal handler does). systemd's own messages start the unit, and restart it after the
database outage. Two other units write in between, with lines that would match rules too
(a canary proxy and PostgreSQL): `scan --journal-dir --unit litellm.service` must show none.

Usage: python3 tools/journal-sample.py > Samples/litellm-journal.export
Turn it into a journal: /lib/systemd/systemd-journal-remote --output=DIR/x.journal - < that
"""
import re
import struct
import sys
from datetime import datetime, timezone
from pathlib import Path

BOOT = "9b0a7c3e5d1f42e8a6b4c2d0e8f6a4b2"
HOST = "proxy-1"
DAY = "2025-07-02"
STARTED = "39f53479d3a045ac8e11786248231fbf"
STARTING = "7d4958e842da4a758f6c1cdc7b36dcc5"
STOPPED = "9d1aaa27d60140bd96365438aad20286"
FAILURE_RESULT = "d9b373ed55a64feb8242e02dbe79a49c"
PROCESS_EXIT = "98e322203f7a4ed290d09fe03c09fe15"
RESTART_SCHEDULED = "5eb03494b6584870a536b337290809b3"

out = bytearray()
clock = {"realtime": int(datetime.fromisoformat(f"{DAY}T08:59:50+00:00").timestamp() * 1_000_000),
         "monotonic": 7_000_000}


def field(name, value):
    data = value.encode() if isinstance(value, str) else value
    if any(b == 0x0A or (b < 0x20 and b != 0x09) or b >= 0x80 for b in data):
        return name.encode() + b"\n" + struct.pack("<Q", len(data)) + data + b"\n"
    return name.encode() + b"=" + data + b"\n"


def entry(fields, at=None):
    """One entry; `at` (HH:MM:SS) moves the clock forward to that second, never back."""
    if at:
        wanted = int(datetime.fromisoformat(f"{DAY}T{at}+00:00").timestamp() * 1_000_000)
        if wanted > clock["realtime"]:
            clock["monotonic"] += wanted - clock["realtime"]
            clock["realtime"] = wanted
    head = [("__REALTIME_TIMESTAMP", str(clock["realtime"])), ("__MONOTONIC_TIMESTAMP", str(clock["monotonic"])),
            ("_BOOT_ID", BOOT), ("_HOSTNAME", HOST)]
    out.extend(b"".join(field(k, v) for k, v in head + fields) + b"\n")
    clock["realtime"] += 1000
    clock["monotonic"] += 1000


def service(message, unit="litellm.service", pid=1201, ident="litellm", priority=6, follow_text_time=True):
    at = re.search(r"(\d\d:\d\d:\d\d) - ", message) if follow_text_time else None
    entry([("_SYSTEMD_UNIT", unit), ("_PID", str(pid)), ("SYSLOG_IDENTIFIER", ident), ("PRIORITY", str(priority)),
           ("_TRANSPORT", "stdout"), ("MESSAGE", message)], at.group(1) if at else None)


def systemd(message, unit, message_id, priority=6, **extra):
    fields = [("_SYSTEMD_UNIT", "init.scope"), ("_PID", "1"), ("SYSLOG_IDENTIFIER", "systemd"),
              ("PRIORITY", str(priority)), ("UNIT", unit), ("MESSAGE_ID", message_id)]
    fields += [(k, v) for k, v in extra.items()]
    entry(fields + [("MESSAGE", message)])


def main():
    root = Path(__file__).resolve().parent.parent
    lines = (root / "Samples/litellm-proxy.log").read_text().split("\n")
    if lines[-1] == "":
        lines.pop()
    systemd("Starting postgresql.service - PostgreSQL RDBMS...", "postgresql.service", STARTING, JOB_TYPE="start")
    systemd("Starting litellm.service - LiteLLM Proxy...", "litellm.service", STARTING, JOB_TYPE="start")
    systemd("Started litellm.service - LiteLLM Proxy.", "litellm.service", STARTED, JOB_TYPE="start", JOB_RESULT="done")
    pid = 1201
    i = 0
    while i < len(lines):
        number = i + 1
        if number == 50:
            # The context-window error with its traceback as one multi-line MESSAGE.
            service("\n".join(lines[49:56]), pid=pid)
            i = 56
            continue
        service(lines[i], pid=pid)
        if number == 21:
            # The database was unreachable: the proxy exits and systemd restarts it.
            systemd("litellm.service: Main process exited, code=exited, status=1/FAILURE", "litellm.service",
                    PROCESS_EXIT, priority=5)
            systemd("litellm.service: Failed with result 'exit-code'.", "litellm.service", FAILURE_RESULT, priority=4)
            service("2025-07-02 08:59:59.700 UTC [311] FATAL:  password authentication failed for user \"litellm\"",
                    unit="postgresql.service", pid=311, ident="postgres", priority=3)
            systemd("litellm.service: Scheduled restart job, restart counter is at 1.", "litellm.service",
                    RESTART_SCHEDULED)
            systemd("Stopped litellm.service - LiteLLM Proxy.", "litellm.service", STOPPED, JOB_TYPE="restart",
                    JOB_RESULT="done")
            systemd("Starting litellm.service - LiteLLM Proxy...", "litellm.service", STARTING, JOB_TYPE="restart")
            systemd("Started litellm.service - LiteLLM Proxy.", "litellm.service", STARTED, JOB_TYPE="restart",
                    JOB_RESULT="done")
            pid = 1388
        if number % 9 == 0:
            # A canary proxy on the same host fails too; it is not the unit being watched.
            service("09:00:%02d - LiteLLM Proxy:ERROR: common_request_processing.py:642 - "
                    "litellm.proxy.proxy_server._handle_llm_api_exception(): Exception occured - "
                    "litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached for gpt-4o-mini "
                    "in organization org-canary on requests per min (RPM): Limit 500, Used 500, Requested 1. "
                    "Received Model Group=canary-gpt-4o-mini" % min(number // 2, 59),
                    unit="litellm-canary.service", pid=2048, ident="litellm-canary", follow_text_time=False)
        i += 1
    systemd("Started postgresql.service - PostgreSQL RDBMS.", "postgresql.service", STARTED, JOB_TYPE="start",
            JOB_RESULT="done")
    sys.stdout.buffer.write(bytes(out))


main()
