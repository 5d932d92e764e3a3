#!/usr/bin/env python3
"""A webhook receiver on 127.0.0.1 for tests and torture runs.

Appends every request it accepts to --out as one JSON line {"path", "time", "body"} and can
be scripted to fail: the first --fail requests get --fail-status (with Retry-After when
--retry-after is set); while the file named by --down exists, every request gets 503 (an
outage that a test switches on and off). With --delay a slow receiver: each accepted request
is answered that many seconds after it arrived, and its line (written when it arrived) carries
"in_flight", the requests being answered at that moment, this one included. Writes its port to
--port-file once it listens.
"""
import argparse
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--fail", type=int, default=0)
    p.add_argument("--fail-status", type=int, default=503)
    p.add_argument("--retry-after")
    p.add_argument("--down", help="while this file exists, answer 503")
    p.add_argument("--delay", type=float, default=0, help="answer each accepted request this many seconds late")
    a = p.parse_args()
    lock = threading.Lock()
    state = {"seen": 0, "in_flight": 0}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            with lock:
                state["seen"] += 1
                failing = state["seen"] <= a.fail or (a.down and os.path.exists(a.down))
                if not failing:
                    state["in_flight"] += 1
                    with open(a.out, "a") as f:
                        f.write(json.dumps({"path": self.path, "time": time.time(), "in_flight": state["in_flight"],
                                            "body": body.decode("utf-8", "replace")}) + "\n")
            if failing:
                self.send_response(a.fail_status)
                if a.retry_after:
                    self.send_header("Retry-After", a.retry_after)
                self.send_header("Content-Length", "4")
                self.end_headers()
                self.wfile.write(b"fail")
                return
            try:
                if a.delay:
                    time.sleep(a.delay)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            finally:
                with lock:
                    state["in_flight"] -= 1

    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, a.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
