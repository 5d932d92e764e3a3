"""The scenarios: one failure (or one kind of benign traffic) per captured log.

Two kinds:
  * request scenarios run one after another against one long-lived proxy ("main" session);
    each sends a few HTTP requests and owns every line the proxy writes until it is quiet again;
  * startup scenarios each start their own proxy (bad config, unreachable DB, port in use ...).

`expect` is the logwatch class the log must get: auth, quota, model, runtime, deploy, or none
(benign: no class at all). Definitions: ../shared/litellm-taxonomy.md section 3.
"""

PROVIDER_PORT = 18080      # fake provider, plain HTTP (inside the private network namespace)
TLS_PORT = 18443           # fake provider behind a self-signed certificate
PROXY_PORT = 14000         # the proxy under test
MASTER_KEY = "sk-fake-master-0000"
CLOSED_PORT = 18099        # nothing listens here
BASE = f"http://127.0.0.1:{PROVIDER_PORT}"

ADV_PHRASES = ("Budget has been exceeded! Invalid proxy server token passed. "
               "No deployments available for selected model")


def _dep(name, provider, behaviour, **extra):
    """One model_list entry pointing at the fake provider's route for `behaviour`."""
    base = f"{BASE}/{provider}/{behaviour}"
    if provider == "openai":
        p = {"model": "openai/gpt-4o", "api_base": base + "/v1", "api_key": "sk-fake-openai-0000"}
    elif provider == "azure":
        p = {"model": "azure/gpt-4o-deployment", "api_base": base, "api_key": "sk-fake-azure-0000",
             "api_version": "2024-10-21"}
    elif provider == "anthropic":
        p = {"model": "anthropic/claude-3-5-sonnet-20241022", "api_base": base,
             "api_key": "sk-fake-anthropic-0000"}
    elif provider == "bedrock":
        p = {"model": "bedrock/anthropic.claude-3-haiku-20240307-v1:0", "api_base": base,
             "aws_access_key_id": "AKIAFAKEFAKEFAKE0000", "aws_secret_access_key": "fake-secret-0000",
             "aws_region_name": "us-east-1"}
    elif provider == "gemini":
        p = {"model": "gemini/gemini-1.5-flash", "api_base": base, "api_key": "fake-gemini-key-0000"}
    elif provider == "litellm_proxy":
        p = {"model": "litellm_proxy/gpt-4o", "api_base": base, "api_key": "sk-fake-upstream-0000"}
    else:
        raise ValueError(provider)
    p.update(extra)
    return {"model_name": name, "litellm_params": p}


def chat(model, content="Say hello.", key=MASTER_KEY, **body):
    b = {"model": model, "messages": [{"role": "user", "content": content}]}
    b.update(body)
    return {"method": "POST", "path": "/chat/completions", "key": key, "body": b}


def get(path, key=MASTER_KEY):
    return {"method": "GET", "path": path, "key": key}


S = []   # all scenarios, in run order


def req(name, expect, desc, requests, deps=(), expect_by=None):
    S.append({"name": name, "kind": "request", "expect": expect, "desc": desc,
              "requests": requests, "deps": list(deps), "expect_by": expect_by or {}})


def startup(name, expect, desc, **how):
    S.append({"name": name, "kind": "startup", "expect": expect, "desc": desc, **how})


# ---- benign -----------------------------------------------------------------------------
req("benign-health-probes", "none", "Kubernetes-style liveliness/readiness probes, answered 200",
    [get("/health/liveliness", key=None), get("/health/readiness", key=None)] * 2)
req("benign-success", "none", "A successful chat completion through each provider",
    [chat(m) for m in ("openai-ok", "azure-ok", "anthropic-ok", "bedrock-ok", "gemini-ok", "litellm_proxy-ok")],
    deps=[_dep(f"{p}-ok", p, "ok") for p in ("openai", "azure", "anthropic", "bedrock", "gemini", "litellm_proxy")])
req("benign-stream", "none", "A successful streamed chat completion (OpenAI)",
    [chat("openai-ok", stream=True)])
req("benign-models-list", "none", "GET /v1/models with the master key",
    [get("/v1/models")])
req("benign-fallback-ok", "none", "Primary deployment answers 500, the configured fallback succeeds",
    [chat("fallback-primary")],
    deps=[_dep("fallback-primary", "openai", "500")])

# ---- auth: the proxy's own key checks (no database) --------------------------------------
req("auth-proxy-wrong-key", "auth", "Virtual key that is not the master key, proxy without a database",
    [chat("openai-ok", key="sk-fake-wrong-key-0000")])
req("auth-proxy-missing-key", "auth", "No Authorization header at all",
    [chat("openai-ok", key=None)])
req("auth-proxy-malformed-key", "auth", "Authorization header without the `Bearer ` prefix",
    [dict(chat("openai-ok"), raw_auth="sk-fake-no-bearer-0000")])
req("auth-proxy-key-not-sk", "auth", "Bearer key that does not start with sk-",
    [chat("openai-ok", key="fake-key-without-prefix")])
# ---- auth: upstream provider credentials -------------------------------------------------
for prov, beh, what in [("azure", "401", "Azure 401 invalid subscription key"),
                        ("azure", "403", "Azure 403 key based authentication disabled"),
                        ("openai", "401", "OpenAI 401 invalid_api_key"),
                        ("anthropic", "401", "Anthropic 401 authentication_error invalid x-api-key"),
                        ("anthropic", "403", "Anthropic 403 permission_error"),
                        ("bedrock", "403", "Bedrock 403 UnrecognizedClientException (bad security token)"),
                        ("bedrock", "denied", "Bedrock 403 AccessDeniedException (IAM not authorized)"),
                        ("gemini", "400key", "Gemini 400 API_KEY_INVALID"),
                        ("gemini", "403", "Gemini 403 PERMISSION_DENIED"),
                        ("litellm_proxy", "401", "Upstream LiteLLM proxy 401 invalid proxy server token")]:
    req(f"auth-{prov.replace('_', '-')}-{beh}", "auth", what, [chat(f"{prov}-{beh}")],
        deps=[_dep(f"{prov}-{beh}", prov, beh)])
req("auth-missing-env-key", "auth",
    "Deployment api_key: os.environ/LOGWATCH_FAKE_UNSET_KEY, variable unset (the key resolves to nothing)",
    [chat("openai-missing-env")],
    deps=[_dep("openai-missing-env", "openai", "ok", api_key="os.environ/LOGWATCH_FAKE_UNSET_KEY")])

# ---- quota ------------------------------------------------------------------------------
for prov, beh, what in [("openai", "429", "OpenAI 429 rate_limit_exceeded (TPM)"),
                        ("openai", "quota", "OpenAI 429 insufficient_quota"),
                        ("azure", "429", "Azure 429 exceeded token rate limit"),
                        ("anthropic", "429", "Anthropic 429 rate_limit_error"),
                        ("anthropic", "usage", "Anthropic 400 'reached your specified API usage limits'"),
                        ("bedrock", "429", "Bedrock 429 ThrottlingException"),
                        ("gemini", "429", "Gemini 429 RESOURCE_EXHAUSTED"),
                        ("litellm_proxy", "budget", "Upstream LiteLLM proxy 400 budget_exceeded"),
                        ("litellm_proxy", "429", "Upstream LiteLLM proxy 429 No deployments available")]:
    req(f"quota-{prov.replace('_', '-')}-{beh}", "quota", what, [chat(f"{prov}-{beh}")],
        deps=[_dep(f"{prov}-{beh}", prov, beh)])
req("quota-router-cooldown-429", "quota",
    "Two deployments answer 429, both go into cooldown, the router says No deployments available",
    [chat("cooldown-429")] * 5,
    deps=[_dep("cooldown-429", "openai", "429"), _dep("cooldown-429", "azure", "429")])

# ---- model ------------------------------------------------------------------------------
req("model-unknown-model", "model", "Request for a model name the proxy does not serve",
    [chat("gpt-fake-not-configured")])
for prov, beh, what in [("azure", "404", "Azure 404 DeploymentNotFound"),
                        ("azure", "content", "Azure 400 content_filter (content management policy)"),
                        ("azure", "context", "Azure 400 context_length_exceeded"),
                        ("openai", "404", "OpenAI 404 model_not_found"),
                        ("openai", "context", "OpenAI 400 context_length_exceeded"),
                        ("anthropic", "context", "Anthropic 400 prompt is too long"),
                        ("anthropic", "404", "Anthropic 404 not_found_error (model)"),
                        ("bedrock", "400", "Bedrock 400 ValidationException input too long"),
                        ("bedrock", "404", "Bedrock 404 ResourceNotFoundException"),
                        ("gemini", "404", "Gemini 404 NOT_FOUND model")]:
    req(f"model-{prov}-{beh}", "model", what, [chat(f"{prov}-{beh}")],
        deps=[_dep(f"{prov}-{beh}", prov, beh)])
req("model-unsupported-param", "model",
    "Anthropic deployment, request carries a parameter Anthropic does not support (drop_params off)",
    [chat("anthropic-ok", logit_bias={"50256": -100})])

# ---- runtime ----------------------------------------------------------------------------
for prov, beh, what in [("openai", "500", "OpenAI 500 server_error"),
                        ("openai", "503", "OpenAI 503 engine overloaded"),
                        ("azure", "500", "Azure 500 InternalServerError"),
                        ("azure", "503", "Azure 503 ServiceUnavailable"),
                        ("anthropic", "529", "Anthropic 529 overloaded_error"),
                        ("anthropic", "500", "Anthropic 500 api_error"),
                        ("bedrock", "503", "Bedrock 503 ServiceUnavailableException"),
                        ("bedrock", "500", "Bedrock 500 InternalServerException"),
                        ("gemini", "503", "Gemini 503 UNAVAILABLE model overloaded"),
                        ("gemini", "500", "Gemini 500 INTERNAL"),
                        ("litellm_proxy", "500", "Upstream LiteLLM proxy 500")]:
    req(f"runtime-{prov.replace('_', '-')}-{beh}", "runtime", what, [chat(f"{prov}-{beh}")],
        deps=[_dep(f"{prov}-{beh}", prov, beh)])
req("runtime-timeout-openai", "runtime", "OpenAI answers after 8 s, deployment timeout is 2 s",
    [chat("openai-slow")], deps=[_dep("openai-slow", "openai", "slow", timeout=2)])
req("runtime-timeout-azure", "runtime", "Azure answers after 8 s, deployment timeout is 2 s",
    [chat("azure-slow")], deps=[_dep("azure-slow", "azure", "slow", timeout=2)])
req("runtime-broken-stream", "runtime",
    "Streamed answer cut after the first chunk (connection dropped); 1.74.9 ends the stream "
    "without logging anything, so there is nothing to classify",
    [chat("openai-broken", stream=True)], deps=[_dep("openai-broken", "openai", "broken")],
    expect_by={"1.74.9/text": "none", "1.74.9/json": "none"})
req("runtime-connection-refused", "runtime", "Deployment api_base on a closed port",
    [chat("openai-refused")],
    deps=[{"model_name": "openai-refused", "litellm_params": {
        "model": "openai/gpt-4o", "api_base": f"http://127.0.0.1:{CLOSED_PORT}/v1", "api_key": "sk-fake-openai-0000"}}])
req("runtime-dns-failure", "runtime", "Deployment api_base on a host name that does not resolve",
    [chat("openai-dns")],
    deps=[{"model_name": "openai-dns", "litellm_params": {
        "model": "openai/gpt-4o", "api_base": "http://fake-provider.invalid/v1", "api_key": "sk-fake-openai-0000"}}])
req("runtime-garbage-body", "runtime", "Provider answers 200 with an HTML page instead of JSON",
    [chat("openai-garbage")], deps=[_dep("openai-garbage", "openai", "garbage")])
req("runtime-router-cooldown-500", "runtime",
    "Two deployments answer 500 and go into cooldown; the root cause is the provider 500, "
    "the later 'No deployments available' is its consequence",
    [chat("cooldown-500")] * 5,
    deps=[_dep("cooldown-500", "openai", "500"), _dep("cooldown-500", "azure", "500")])

# ---- deploy, request-time ---------------------------------------------------------------
req("deploy-tls-verify-failed", "deploy",
    "Provider behind a self-signed certificate: CERTIFICATE_VERIFY_FAILED",
    [chat("openai-tls")],
    deps=[{"model_name": "openai-tls", "litellm_params": {
        "model": "openai/gpt-4o", "api_base": f"https://127.0.0.1:{TLS_PORT}/openai/ok/v1",
        "api_key": "sk-fake-openai-0000"}}])

# ---- adversarial (issue 13 part 4) ------------------------------------------------------
req("adv-success-prompt", "none", "Successful request whose prompt quotes error phrases",
    [chat("openai-ok", content=ADV_PHRASES)])
req("adv-success-user", "none", "Successful request whose user field quotes error phrases",
    [chat("openai-ok", user="Invalid proxy server token passed; Budget has been exceeded!")])
req("adv-success-model-alias", "none",
    "Successful request to a model alias named after an error phrase",
    [chat("No-deployments-available-budget-has-been-exceeded")],
    deps=[_dep("No-deployments-available-budget-has-been-exceeded", "openai", "ok")])
req("adv-unknown-model-phrase", "model",
    "Unknown model whose name is an auth/quota phrase: must stay a model error",
    [chat("Invalid proxy server token passed - Budget has been exceeded!")])
# Own model groups: a group an earlier scenario failed on may still be cooling down.
req("adv-ratelimit-prompt-auth-phrase", "quota",
    "Azure 429 on a request whose prompt says 'Invalid proxy server token passed'",
    [chat("adv-azure-429", content="Invalid proxy server token passed. Authentication Error")],
    deps=[_dep("adv-azure-429", "azure", "429")])
req("adv-500-user-budget-phrase", "runtime",
    "OpenAI 500 on a request whose user field says 'Budget has been exceeded!'",
    [chat("adv-openai-500", user="Budget has been exceeded! Current cost: 99, Max budget: 1")],
    deps=[_dep("adv-openai-500", "openai", "500")])
req("adv-auth-prompt-deployments-phrase", "auth",
    "Anthropic 401 on a request whose prompt says 'No deployments available'",
    [chat("adv-anthropic-401", content="No deployments available for selected model, Try again in 60 seconds")],
    deps=[_dep("adv-anthropic-401", "anthropic", "401")])

# ---- deploy, startup (one proxy start each) ---------------------------------------------
startup("deploy-config-missing", "deploy", "--config points at a file that does not exist",
        config_path="/nonexistent/logwatch-live/config.yaml")
startup("deploy-config-bad-yaml", "deploy", "Config file is not valid YAML",
        config_text="model_list:\n  - model_name: gpt-4o\n    litellm_params: {model: openai/gpt-4o\n  general_settings: [\n")
startup("deploy-port-in-use", "deploy", "Another process already listens on the proxy's (non-default) port",
        occupy_port=True)
startup("deploy-db-unreachable", "deploy",
        "DATABASE_URL points at a Postgres port where nothing listens (1.110.2 as installed here stops "
        "before that: its DB path imports litellm_proxy_extras, which the index lacks)",
        env={"DATABASE_URL": f"postgresql://fake_user:fake_pass@127.0.0.1:{CLOSED_PORT}/litellm"},
        ready_request=True)
startup("deploy-redis-unreachable", "deploy",
        "Redis cache configured on a port where nothing listens; one request tries the cache",
        litellm_settings={"cache": True, "cache_params": {"type": "redis", "host": "127.0.0.1",
                                                          "port": CLOSED_PORT}},
        ready_request=True)
startup("deploy-missing-module", "deploy", "callbacks names a Python module that is not installed",
        litellm_settings={"callbacks": ["logwatch_fake_missing_module.handler"]})

SCENARIOS = {s["name"]: s for s in S}
