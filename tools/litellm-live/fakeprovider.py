"""A fake LLM provider on loopback: one HTTP server, one route per provider and behaviour.

The proxy under test is configured with `api_base: http://127.0.0.1:PORT/<provider>/<behaviour>`;
LiteLLM appends its own path (`/openai/deployments/.../chat/completions`, `/v1/messages`,
`/model/<id>/converse`, `/models/<m>:generateContent`, ...), which this server ignores: the first
two path segments decide the answer. Bodies and status codes are the ones each provider
documents (see README.md, "What the fake providers answer"); the request ids inside are fixed so
that reruns give the same logs.
"""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

AZURE_RL = ("Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 "
            "have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 6 "
            "seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further "
            "increase the default rate limit.")

# provider -> behaviour -> (status, body, extra headers). Bodies are dicts (sent as JSON) or bytes.
ERRORS = {
    "openai": {
        "401": (401, {"error": {"message": "Incorrect API key provided: sk-fake-***********************abcd. You can find your API key at https://platform.openai.com/account/api-keys.", "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}}, {}),
        "429": (429, {"error": {"message": "Rate limit reached for gpt-4o in organization org-fakeorg on tokens per min (TPM): Limit 30000, Used 29500, Requested 1200. Please try again in 1.4s. Visit https://platform.openai.com/account/rate-limits to learn more.", "type": "tokens", "param": None, "code": "rate_limit_exceeded"}}, {"retry-after": "1"}),
        "quota": (429, {"error": {"message": "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.", "type": "insufficient_quota", "param": None, "code": "insufficient_quota"}}, {}),
        "404": (404, {"error": {"message": "The model `gpt-4o-fake-missing` does not exist or you do not have access to it.", "type": "invalid_request_error", "param": None, "code": "model_not_found"}}, {}),
        "context": (400, {"error": {"message": "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages.", "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}}, {}),
        "500": (500, {"error": {"message": "The server had an error while processing your request. Sorry about that!", "type": "server_error", "param": None, "code": None}}, {}),
        "503": (503, {"error": {"message": "The engine is currently overloaded, please try again later.", "type": "server_error", "param": None, "code": None}}, {}),
    },
    "azure": {
        "401": (401, {"error": {"code": "401", "message": "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}}, {}),
        "403": (403, {"error": {"code": "AuthenticationTypeDisabled", "message": "Key based authentication is disabled for this resource."}}, {}),
        "404": (404, {"error": {"code": "DeploymentNotFound", "message": "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again."}}, {}),
        "429": (429, {"error": {"code": "429", "message": AZURE_RL}}, {"retry-after": "6"}),
        "content": (400, {"error": {"message": "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766", "type": None, "param": "prompt", "code": "content_filter", "status": 400, "innererror": {"code": "ResponsibleAIPolicyViolation", "content_filter_result": {"hate": {"filtered": False, "severity": "safe"}, "self_harm": {"filtered": False, "severity": "safe"}, "sexual": {"filtered": False, "severity": "safe"}, "violence": {"filtered": True, "severity": "medium"}}}}}, {}),
        "context": (400, {"error": {"message": "This model's maximum context length is 8192 tokens. However, your messages resulted in 9013 tokens. Please reduce the length of the messages.", "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}}, {}),
        "500": (500, {"error": {"code": "InternalServerError", "message": "The server had an error while processing your request. Sorry about that!"}}, {}),
        "503": (503, {"error": {"code": "ServiceUnavailable", "message": "The service is temporarily unable to process your request. Please try again later."}}, {}),
    },
    "anthropic": {
        "401": (401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}, "request_id": "req_011CFAKE0000000000000001"}, {}),
        "403": (403, {"type": "error", "error": {"type": "permission_error", "message": "Your API key does not have permission to use the specified resource."}, "request_id": "req_011CFAKE0000000000000002"}, {}),
        "429": (429, {"type": "error", "error": {"type": "rate_limit_error", "message": "This request would exceed the rate limit for your organization (fake-org) of 50,000 input tokens per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits."}, "request_id": "req_011CFAKE0000000000000003"}, {"retry-after": "1"}),
        "usage": (400, {"type": "error", "error": {"type": "invalid_request_error", "message": "You have reached your specified API usage limits. You will regain access on 2027-01-01 at 00:00 UTC."}, "request_id": "req_011CFAKE0000000000000004"}, {}),
        "context": (400, {"type": "error", "error": {"type": "invalid_request_error", "message": "prompt is too long: 215000 tokens > 200000 maximum"}, "request_id": "req_011CFAKE0000000000000005"}, {}),
        "404": (404, {"type": "error", "error": {"type": "not_found_error", "message": "model: claude-fake-missing"}, "request_id": "req_011CFAKE0000000000000006"}, {}),
        "500": (500, {"type": "error", "error": {"type": "api_error", "message": "Internal server error"}, "request_id": "req_011CFAKE0000000000000007"}, {}),
        "529": (529, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}, "request_id": "req_011CFAKE0000000000000008"}, {}),
    },
    "bedrock": {
        "403": (403, {"message": "The security token included in the request is invalid."}, {"x-amzn-errortype": "UnrecognizedClientException"}),
        "denied": (403, {"message": "User: arn:aws:iam::123456789012:user/fake-user is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0 because no identity-based policy allows the bedrock:InvokeModel action"}, {"x-amzn-errortype": "AccessDeniedException"}),
        "429": (429, {"message": "Too many requests, please wait before trying again."}, {"x-amzn-errortype": "ThrottlingException"}),
        "400": (400, {"message": "Input is too long for requested model."}, {"x-amzn-errortype": "ValidationException"}),
        "404": (404, {"message": "Could not resolve the foundation model from the provided model identifier."}, {"x-amzn-errortype": "ResourceNotFoundException"}),
        "500": (500, {"message": "Internal server error"}, {"x-amzn-errortype": "InternalServerException"}),
        "503": (503, {"message": "Bedrock is unable to process your request."}, {"x-amzn-errortype": "ServiceUnavailableException"}),
    },
    "gemini": {
        "400key": (400, {"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT", "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}}]}}, {}),
        "403": (403, {"error": {"code": 403, "message": "Permission denied on resource project fake-project.", "status": "PERMISSION_DENIED"}}, {}),
        "429": (429, {"error": {"code": 429, "message": "Resource has been exhausted (e.g. check quota).", "status": "RESOURCE_EXHAUSTED"}}, {}),
        "404": (404, {"error": {"code": 404, "message": "models/gemini-fake-missing is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.", "status": "NOT_FOUND"}}, {}),
        "500": (500, {"error": {"code": 500, "message": "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting", "status": "INTERNAL"}}, {}),
        "503": (503, {"error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}}, {}),
    },
    # Another LiteLLM proxy upstream: its ProxyException bodies (litellm/proxy/_types.py to_dict).
    "litellm_proxy": {
        "401": (401, {"error": {"message": "Authentication Error, Invalid proxy server token passed. Received API Key = sk-...fake, Key Hash (Token) =0f4a7c1e2b3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7. Unable to find token in cache or `LiteLLM_VerificationTokenTable`", "type": "token_not_found_in_db", "param": "key", "code": "401"}}, {}),
        "budget": (400, {"error": {"message": "Budget has been exceeded! Current cost: 10.52, Max budget: 10.0", "type": "budget_exceeded", "param": None, "code": "400"}}, {}),
        "429": (429, {"error": {"message": "No deployments available for selected model, Try again in 5 seconds. Passed model=gpt-4o. pre-call-checks=False, cooldown_list=['fake-deployment-id']", "type": "None", "param": "None", "code": "429"}}, {}),
        "500": (500, {"error": {"message": "litellm.InternalServerError: InternalServerError: OpenAIException - Connection error.", "type": None, "param": None, "code": "500"}}, {}),
    },
}


def _openai_ok(model, stream):
    if stream:
        chunks = []
        for i, piece in enumerate(["Hello", " from", " fake"]):
            chunks.append({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1700000000, "model": model,
                           "choices": [{"index": 0, "delta": ({"role": "assistant", "content": piece} if i == 0 else {"content": piece}), "finish_reason": None}]})
        chunks.append({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1700000000, "model": model,
                       "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        return chunks
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": 1700000000, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello from fake"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 4, "total_tokens": 9}}


def _ok_body(provider, model, path):
    if provider == "anthropic":
        return {"id": "msg_fake", "type": "message", "role": "assistant", "model": model,
                "content": [{"type": "text", "text": "Hello from fake"}], "stop_reason": "end_turn",
                "stop_sequence": None, "usage": {"input_tokens": 5, "output_tokens": 4}}
    if provider == "bedrock":
        return {"output": {"message": {"role": "assistant", "content": [{"text": "Hello from fake"}]}},
                "stopReason": "end_turn", "usage": {"inputTokens": 5, "outputTokens": 4, "totalTokens": 9},
                "metrics": {"latencyMs": 10}}
    if provider == "gemini":
        return {"candidates": [{"content": {"parts": [{"text": "Hello from fake"}], "role": "model"},
                                "finishReason": "STOP", "index": 0}],
                "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 4, "totalTokenCount": 9},
                "modelVersion": model}
    if path.endswith("/embeddings"):
        return {"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2, 0.3]}],
                "model": model, "usage": {"prompt_tokens": 2, "total_tokens": 2}}
    return _openai_ok(model, False)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # the proxy's log is what we capture; keep ours quiet
        pass

    def _send(self, status, body, headers=None, ctype="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", ctype)
        self.send_header("content-length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self):
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            req = json.loads(raw) if raw else {}
        except ValueError:
            req = {}
        parts = self.path.split("?")[0].strip("/").split("/")
        provider = parts[0] if parts else ""
        # Gemini appends `:generateContent` straight to api_base: /gemini/ok:generateContent.
        behaviour = parts[1].split(":")[0] if len(parts) > 1 else "ok"
        model = req.get("model") or "fake-model"
        if behaviour == "slow":
            # Longer than any timeout the scenarios configure; the proxy gives up first.
            time.sleep(8)
            behaviour = "ok"
        if behaviour == "ok":
            if req.get("stream"):
                return self._stream(model, broken=False)
            return self._send(200, _ok_body(provider, model, self.path))
        if behaviour == "broken":
            return self._stream(model, broken=True)
        if behaviour == "garbage":
            return self._send(200, b"<html><body>502 upstream gone</body>", ctype="text/html")
        entry = ERRORS.get(provider, {}).get(behaviour)
        if entry is None:
            return self._send(404, {"error": {"message": f"fake provider: no route {self.path}"}})
        status, body, headers = entry
        return self._send(status, body, headers)

    def _stream(self, model, broken):
        # Broken: the server promises a chunked stream, sends one chunk, then drops the connection.
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        chunks = _openai_ok(model, True)
        for i, c in enumerate(chunks):
            data = f"data: {json.dumps(c)}\n\n".encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
            if broken and i == 0:
                self.wfile.write(b"5\r\ndata")  # a chunk cut short, then the socket closes
                self.wfile.flush()
                self.close_connection = True
                return
        data = b"data: [DONE]\n\n"
        self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data))

    do_POST = _handle
    do_GET = _handle


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # The proxy hangs up on slow answers (its timeout) and broken streams: expected, not news.
        pass


def serve(port=0, tls_context=None):
    """Start the server on a thread; returns it (server.server_address[1] is the port)."""
    server = Server(("127.0.0.1", port), Handler)
    if tls_context is not None:
        server.socket = tls_context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
