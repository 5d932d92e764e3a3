"""LiteLLM's own verdict per failed request, written next to the captured log (issue 13 part 3).

The proxy loads this module as a custom callback (`litellm_settings.callbacks:
logwatch_verdict.handler`). For every failed LLM call it appends one JSON line to
$LOGWATCH_VERDICT_FILE: the `litellm_call_id`, the exception class and status, and, on releases
that compute them, LiteLLM's normalized error code and rate-limit category
(`standard_logging_object.error_information`). Nothing here changes how the proxy logs: the
callback writes to its own file, never to stdout/stderr.
"""
import json
import os
import threading

try:
    from litellm.integrations.custom_logger import CustomLogger
except Exception:  # very old releases: the harness then records no verdicts
    CustomLogger = object

_LOCK = threading.Lock()
# Fields of error_information worth keeping; the traceback and message are in the log already.
_FIELDS = ("error_code", "error_class", "llm_provider", "normalized_error", "error_budget_entity_type",
           "error_rate_limit_category", "error_rate_limit_type")


def _write(kwargs, exc):
    path = os.environ.get("LOGWATCH_VERDICT_FILE")
    if not path:
        return
    slo = kwargs.get("standard_logging_object") or {}
    info = slo.get("error_information") or {}
    row = {
        "litellm_call_id": kwargs.get("litellm_call_id") or slo.get("id"),
        "model_group": (slo.get("model_group") or kwargs.get("model")),
        "exception": type(exc).__name__ if exc is not None else None,
        "status_code": getattr(exc, "status_code", None),
    }
    for f in _FIELDS:
        if f in info:
            row[f] = info[f]
    for attr in ("category", "rate_limit_type"):
        if getattr(exc, attr, None) is not None:
            row["exception_" + attr] = str(getattr(exc, attr))
    with _LOCK, open(path, "a") as fh:
        fh.write(json.dumps(row, sort_keys=True, default=str) + "\n")


class LogwatchVerdict(CustomLogger):
    # Only the async hook: the proxy calls the router asynchronously, and registering the sync
    # one too would write each failure twice on releases that call both.
    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):
        _write(kwargs, kwargs.get("exception"))


handler = LogwatchVerdict()
