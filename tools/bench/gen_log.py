#!/usr/bin/env python3
"""Deterministic generator of a realistic LiteLLM proxy log for `make bench`.

The log alternates segments in the two shapes LiteLLM writes (plain text with ANSI colour, and
JSON lines from its JsonFormatter), as when replicas' logs are concatenated. About 1 % of the
records are errors, taken from the rules' own examples and the dev corpus, a third of them with
a Python traceback. The same arguments always give the same bytes.

usage: gen_log.py OUT --size-mb N [--rules DIR] [--corpus FILE] [--seed S]
"""
import argparse
import glob
import json
import os
import random
import sys

ESC = "\x1b"
MODELS = ["gpt-4o", "gpt-4o-mini", "claude-sonnet", "azure/gpt-4o", "bedrock/claude-3-5", "gemini-1.5-pro",
          "text-embedding-3-small", "o3-mini"]
ROUTES = ["/chat/completions", "/v1/chat/completions", "/embeddings", "/v1/models", "/health/readiness",
          "/health/liveliness", "/key/info", "/spend/logs"]
FILES = ["proxy_server.py", "router.py", "utils.py", "litellm_logging.py", "cost_calculator.py",
         "common_request_processing.py", "user_api_key_auth.py", "http_handler.py"]


def load_error_texts(rules_dir, corpus):
    """Error lines (non-benign examples and corpus lines) and benign look-alikes."""
    errors, benign = [], []
    try:
        import yaml  # PyYAML, present on the build machines; without it the corpus alone is used
        for path in sorted(glob.glob(os.path.join(rules_dir, "*", "*.yaml"))):
            with open(path, encoding="utf-8") as f:
                rule = yaml.safe_load(f)
            for example in rule.get("examples") or []:
                text = example["text"] if isinstance(example, dict) else example
                (benign if rule.get("class") == "benign" else errors).append(text.rstrip("\n"))
    except ImportError:
        print("gen_log: PyYAML missing; using the corpus only", file=sys.stderr)
    if corpus and os.path.exists(corpus):
        with open(corpus, encoding="utf-8") as f:
            for line in f:
                entry = json.loads(line)
                if entry.get("class") not in (None, "", "benign", "none"):
                    errors.append(entry["line"].rstrip("\n"))
    if not errors:
        sys.exit("gen_log: no error texts found (give --rules and --corpus)")
    return errors, benign


class Log:
    def __init__(self, seed, errors, benign):
        self.r = random.Random(seed)
        self.errors, self.benign = errors, benign
        self.seconds = 8 * 3600

    def clock(self):
        self.seconds = (self.seconds + (1 if self.r.random() < 0.02 else 0)) % 86400
        s = self.seconds
        return "%02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)

    def iso(self):
        return "2025-07-02T%s.%06d" % (self.clock(), self.r.randrange(1000000))

    def ip(self):
        return "172.18.0.%d:%d" % (self.r.randrange(2, 40), self.r.randrange(30000, 60000))

    def plain_header(self, logger, level, file=None):
        return "%s[92m%s - %s:%s%s[0m: %s:%d - " % (ESC, self.clock(), logger, level, ESC, file or self.r.choice(FILES),
                                                    self.r.randrange(10, 9000))

    def traceback(self, final):
        frames = []
        for _ in range(self.r.randrange(2, 7)):
            mod = self.r.choice(["litellm/main.py", "litellm/router.py", "litellm/llms/openai/openai.py",
                                 "httpx/_client.py", "openai/_base_client.py", "litellm/proxy/proxy_server.py"])
            frames.append('  File "/usr/lib/python3.13/site-packages/%s", line %d, in %s' % (
                mod, self.r.randrange(10, 5000), self.r.choice(["acompletion", "request", "_make_call", "send"])))
            frames.append("    %s" % self.r.choice(["response = await init_response", "raise e",
                                                    "return await self._send_single_request(request)",
                                                    "raise self._make_status_error_from_response(err.response) from None"]))
        return "Traceback (most recent call last):\n" + "\n".join(frames) + "\n" + final

    def plain_normal(self):
        k = self.r.random()
        m = self.r.choice(MODELS)
        if k < 0.34:
            return '%sINFO:     %s - "POST %s HTTP/1.1" 200 OK' % ("", self.ip(), self.r.choice(ROUTES))
        if k < 0.60:
            return "%slitellm.acompletion(model=%s)%s[32m 200 OK%s[0m" % (
                self.plain_header("LiteLLM Router", "INFO", "router.py"), m, ESC, ESC)
        if k < 0.80:
            return ("%sRequest received by LiteLLM:\n{'model': '%s', 'messages': [{'role': 'user', 'content': "
                    "'Summarise the attached ticket %d in three bullet points.'}], 'stream': %s, 'max_tokens': %d}") % (
                self.plain_header("LiteLLM Proxy", "DEBUG"), m, self.r.randrange(10**6), self.r.choice(["True", "False"]),
                self.r.randrange(64, 4096))
        if k < 0.93:
            return "%sresponse_cost: %.8f; model=%s; prompt_tokens=%d; completion_tokens=%d" % (
                self.plain_header("LiteLLM", "DEBUG", "cost_calculator.py"), self.r.random() / 100, m,
                self.r.randrange(10, 9000), self.r.randrange(1, 2000))
        if k < 0.97:
            return 'INFO:httpx:HTTP Request: POST https://api.openai.com/v1/chat/completions "HTTP/1.1 200 OK"'
        return "%sInside async function with retries: args - (); kwargs - {'model': '%s', 'num_retries': 2}" % (
            self.plain_header("LiteLLM Router", "DEBUG", "router.py"), m)

    def json_line(self, message, level, component, stack=None):
        obj = {"message": message, "level": level, "timestamp": self.iso(), "component": component,
               "logger": "%s:%d" % (self.r.choice(FILES), self.r.randrange(10, 9000))}
        if stack:
            obj["stacktrace"] = stack
        return json.dumps(obj)

    def json_normal(self):
        k = self.r.random()
        if k < 0.5:
            return self.json_line('%s - "POST %s HTTP/1.1" 200' % (self.ip(), self.r.choice(ROUTES)), "INFO",
                                  "uvicorn.access")
        if k < 0.8:
            return self.json_line("litellm.acompletion(model=%s) 200 OK" % self.r.choice(MODELS), "INFO", "LiteLLM Router")
        return self.json_line("response_cost: %.8f; prompt_tokens=%d" % (self.r.random() / 100, self.r.randrange(9000)),
                              "DEBUG", "LiteLLM")

    def error(self, shape):
        text = self.r.choice(self.errors)
        with_tb = self.r.random() < 0.33
        final = "litellm.exceptions.APIError: litellm.APIError: request %d failed" % self.r.randrange(10**6)
        if shape == "json":
            return self.json_line(text, "ERROR", "LiteLLM Proxy", self.traceback(final) if with_tb else None)
        if text[:1].isdigit() or text.startswith(("INFO:", "ERROR:", "WARNING:", "Traceback", "{")):
            record = text
        else:
            record = self.plain_header("LiteLLM Proxy", "ERROR", "common_request_processing.py") + (
                "litellm.proxy.proxy_server._handle_llm_api_exception(): Exception occured - " + text)
        return record + ("\n" + self.traceback(final) if with_tb else "")

    def records(self):
        while True:
            shape = "plain" if self.r.random() < 0.75 else "json"
            for _ in range(self.r.randrange(5000, 50000)):
                k = self.r.random()
                if k < 0.01:
                    yield self.error(shape)
                elif k < 0.012 and self.benign:
                    yield self.r.choice(self.benign)
                else:
                    yield self.plain_normal() if shape == "plain" else self.json_normal()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--size-mb", type=int, default=1024)
    p.add_argument("--rules", default="Rules")
    p.add_argument("--corpus", default="Tests/Fixtures/corpus/litellm-dev.jsonl")
    p.add_argument("--seed", type=int, default=20261125)
    a = p.parse_args()
    errors, benign = load_error_texts(a.rules, a.corpus)
    target = a.size_mb * 1024 * 1024
    written = 0
    tmp = a.out + ".part"
    with open(tmp, "wb") as f:
        gen = Log(a.seed, errors, benign).records()
        while written < target:
            chunk = ("\n".join(next(gen) for _ in range(5000)) + "\n").encode("utf-8", "surrogateescape")
            f.write(chunk)
            written += len(chunk)
    os.replace(tmp, a.out)
    print("gen_log: wrote %s (%d bytes)" % (a.out, written), file=sys.stderr)


if __name__ == "__main__":
    main()
