/// The shared field extractors run on every matched record after the rule's own captures.
///
/// Order matters: for each field the first pattern that captures it wins, except where
/// `last` is set (the innermost exception of a prefix chain is the last one written).
public enum CommonFields {
    public struct Extractor: Sendable {
        public var pattern: String
        public var last: Bool = false
    }

    public static let extractors: [Extractor] = [
        .init(pattern: #"\blitellm\.(?:exceptions\.)?(?<exception>[A-Z][A-Za-z]*(?:Error|Exception)|Timeout)\b"#, last: true),
        // Generic exception names that carry no provider are skipped, so the first real token wins.
        .init(pattern: #"\b(?!(?:Proxy|Base|Value|Runtime|Key|Import|Custom|Generic|Group|Unhandled|Engine|Assertion|HTTP|Http|API|Api|JSON|Json|Type|Litellm|LiteLLM|Provider|Budget|Timeout|Router|Internal|Unknown|Mock|Client|Server|Request|Attribute|Connection|Permission|Guardrail|Rejected|Validation|OS|IO|Index|Name|Lookup|Stop|Cancelled|Throttling|ServiceQuotaExceeded|ExpiredToken|UnrecognizedClient|AccessDenied|ResourceNotFound|ResourceExhausted|ModelNotReady|ModelTimeout|ModelError|ServiceUnavailable|InternalServer|Conflict|TooManyRequests|Forbidden|NotFound|Unauthorized|Exception)Exception\b)(?<provider>[A-Z][A-Za-z0-9]*(?:_[a-z0-9]+)*)Exception\b"#),
        .init(pattern: #"\b(?<provider>Anthropic|VertexAI|Vertex_ai|Bedrock|OpenAI|Azure|Gemini)Error\b"#),
        .init(pattern: #"Received Model Group=(?<model_group>[^\s\\'",]+)"#),
        .init(pattern: #"model_group: `(?<model_group>[^`]+)`"#),
        // 1.110's router suffix: "LiteLLM: model group 'X' failed with the error above ...".
        .init(pattern: #"\bmodel group '(?<model_group>[^'\s]+)' failed\b"#),
        .init(pattern: #"Passed model=(?<model_group>[^\s,]+?)\.?(?:\s|$)"#),
        .init(pattern: #"You passed in model=(?<model_group>\S+?)\.?(?:\s|$)"#),
        .init(pattern: #"Invalid model name passed in model=(?<model_group>[^\s.]+)"#),
        .init(pattern: #"Tried to access (?<model_group>[\w.:/\-]+)"#),
        .init(pattern: #"litellm\.a?\w+\(model=(?<model_group>[^)\s]+)\)"#),
        .init(pattern: #"\bmodel=(?<model_group>[\w./:@-]*\w)"#),
        .init(pattern: #"deployment: `(?<deployment>[^`]+)`"#),
        .init(pattern: #"\bmodel_id: (?<deployment>[\w-]+)"#),
        .init(pattern: #"litellm_params\.model: (?<deployment>[\w./:-]*\w)"#),
        .init(pattern: #"API Base: `(?<api_base>[^`]+)`"#),
        .init(pattern: #"\bapi_base: (?<api_base>[^\s`'"]+)"#),
        .init(pattern: #"for url '(?<api_base>[^'?]+)"#),
        .init(pattern: #"Cannot connect to host (?<api_base>[\w.-]+:\d+)"#),
        .init(pattern: #"reach database server at `(?<api_base>[^`]+)`(?::`(?<db_port>\d+)`)?"#),
        .init(pattern: #"Error code: (?<status>[1-5]\d\d)\b"#),
        .init(pattern: #"HTTP/\d(?:\.\d)?"? (?<status>[1-5]\d\d)\b"#),
        .init(pattern: #"["']code["']:\s*["']?(?<status>[1-5]\d\d)\b"#),
        .init(pattern: #"\bstatus_code['"]?[:=]\s*['"]?(?<status>[1-5]\d\d)\b"#),
        .init(pattern: #"^(?<status>[45]\d\d):? "#),
        .init(pattern: #"\bkey_alias[:=]\s*['"]?(?<key_alias>[^\s,'"]+)"#),
        .init(pattern: #"Key Hash \(Token\) ?=(?<key_hash>[0-9a-f]{64})"#),
        .init(pattern: #"user_api_key_hash: (?<key_hash>[0-9a-zA-Z]+)"#),
        .init(pattern: #"Virtual Key: (?<key_hash>[0-9a-f]{64})"#),
        .init(pattern: #"\bkey=(?<key_hash>[0-9a-f]{64})"#),
        .init(pattern: #"\bTeam=(?<team>[\w.@:-]+)"#),
        .init(pattern: #"\bteam_id=(?<team>[\w.@:-]+)"#),
        .init(pattern: #"(?<!End )\bUser=(?<user>[\w@.+:-]+)"#),
        .init(pattern: #"\buser_id=(?<user>[\w@.+:-]+)"#),
        .init(pattern: #"End User=(?<end_user>[^\s,]+)"#),
        .init(pattern: #"rate limit type = (?<limit_type>\w+)"#),
        .init(pattern: #"litellm\.proxy\.proxy_server\.(?<endpoint>\w+)\(\)"#),
        .init(pattern: #"litellm_call_id=(?<request_id>[0-9a-fA-F-]{36})"#),
        .init(pattern: #"Requester IP Address:\s*(?<requester_ip>[0-9a-fA-F.:]+)"#),
    ]

    /// Provider tokens that are not providers (`ProxyException`, `ValueException`, ...).
    static let notProviders: Set<String> = [
        "proxy", "base", "value", "runtime", "key", "import", "custom", "generic", "group", "unhandled",
        "engine", "assertion", "http", "api", "json", "type", "litellm", "provider", "budget", "timeout",
        "router", "internal", "unknown", "exception", "mock",
    ]

    /// Normalises a captured value: provider tokens become lowercase provider names.
    public static func normalise(_ field: String, _ value: String) -> String? {
        guard field == "provider" else { return value }
        var name = value.lowercased()
        if name == "vertexai" { name = "vertex_ai" }
        if notProviders.contains(name) { return nil }
        return name
    }
}
