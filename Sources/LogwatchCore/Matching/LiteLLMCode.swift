/// LiteLLM's own name for a failure: the `normalized_error` its logging callback records
/// (`litellm/litellm_core_utils/error_normalization.py`, `normalize_error`), and for 429s the
/// rate-limit category (`RateLimitErrorCategory`: who limited the request).
///
/// LiteLLM computes both from the exception object; logwatch only has the text that exception
/// left in the log, so each step of `normalize_error` reads its input from the text instead:
/// the proxy error type from a `type` field or the fixed wording the proxy composes for that
/// type, the message patterns from the message, the class from the innermost `litellm.X` (or
/// Python internal error) name, the status from the `status` field. Where LiteLLM would match
/// its message patterns over text a caller chose (a model name, a user id, a prompt), logwatch
/// masks those spans first: caller text cannot pick the code. docs/litellm-codes.md lists where
/// the two can still disagree and why.
public enum LiteLLMCode {
    public static let rateLimitExceeded = "429_RATE_LIMIT_EXCEEDED"
    public static let budgetExceeded = "429_BUDGET_EXCEEDED"
    public static let noHealthyDeployments = "429_NO_HEALTHY_DEPLOYMENTS"
    public static let authenticationFailed = "401_AUTHENTICATION_FAILED"
    public static let modelAccessDenied = "403_MODEL_ACCESS_DENIED"
    public static let permissionDenied = "403_PERMISSION_DENIED"
    public static let missingRequiredParameter = "400_MISSING_REQUIRED_PARAMETER"
    public static let invalidParameterValue = "400_INVALID_PARAMETER_VALUE"
    public static let contextWindowExceeded = "400_CONTEXT_WINDOW_EXCEEDED"
    public static let contentPolicyViolation = "400_CONTENT_POLICY_VIOLATION"
    public static let invalidRequest = "400_INVALID_REQUEST"
    public static let resourceNotFound = "404_RESOURCE_NOT_FOUND"
    public static let upstreamTimeout = "408_UPSTREAM_TIMEOUT"
    public static let providerConnectionError = "500_PROVIDER_CONNECTION_ERROR"
    public static let providerOverloaded = "503_PROVIDER_OVERLOADED"
    public static let providerInternalError = "500_PROVIDER_INTERNAL_ERROR"
    public static let routerNoFallback = "500_ROUTER_NO_FALLBACK"
    public static let routerFallbackFailure = "500_ROUTER_FALLBACK_FAILURE"
    public static let upstreamPassthrough = "500_UPSTREAM_PASSTHROUGH"
    public static let unsupportedOperation = "500_UNSUPPORTED_OPERATION"
    public static let internalStateError = "500_INTERNAL_STATE_ERROR"
    public static let unclassified = "UNCLASSIFIED"

    /// `RateLimitErrorCategory` values.
    public static let vendorRateLimit = "vendor_rate_limit"
    public static let litellmRateLimit = "litellm_rate_limit"

    public struct Verdict: Sendable, Equatable {
        public var code: String
        /// Only for 429 codes: `vendor_rate_limit` or `litellm_rate_limit`.
        public var rateLimitCategory: String?
    }

    /// The verdict for a classified record. `origin` is the winning rule's origin (nil for an
    /// unknown record); `fields` are the record's extracted fields (`exception`, `status`).
    public static func verdict(text: String, fields: [String: String], origin: Origin?) -> Verdict {
        let masked = CallerText.masked(text)
        let status = fields["status"] ?? proxyStatus.captures(in: masked)?["status"]
        let code = normalize(masked, exception: innermostException(masked) ?? fields["exception"], status: status)
        guard code.hasPrefix("429_") else { return Verdict(code: code, rateLimitCategory: nil) }
        return Verdict(code: code, rateLimitCategory: category(masked, origin: origin))
    }

    /// `normalize_error`'s order: proxy error type, message, status 529, class, router wrapper, status.
    static func normalize(_ message: String, exception: String?, status: String?) -> String {
        if let code = first(proxyTypes, in: message) { return code }
        if exceededBeforeBudget(message) { return budgetExceeded }
        if let code = first(messagePatterns, in: message) { return code }
        if status == "529" { return providerOverloaded }
        if let exception, let code = classCodes[exception] { return code }
        if let code = first(routerWrapperPatterns, in: message) { return code }
        if let status, let code = statusCodes[status] { return code }
        return unclassified
    }

    /// The proxy's own limiters (key/team/user/model limits, budgets, router cooldown) say
    /// `litellm_rate_limit`; a provider's 429 says `vendor_rate_limit`.
    static func category(_ message: String, origin: Origin?) -> String {
        if litellmLimiter.matches(message) { return litellmRateLimit }
        switch origin {
        case .proxy, .router: return litellmRateLimit
        case .provider, .upstreamProxy: return vendorRateLimit
        default: return providerToken.matches(message) ? vendorRateLimit : litellmRateLimit
        }
    }

    /// `_exceeded_before_budget`: "exceeded" then "budget" on one line, any case.
    static func exceededBeforeBudget(_ message: String) -> Bool { exceededBudget.matches(message) }

    static let exceededBudget = p(#"(?i)exceeded[^\n]*budget"#)

    /// The innermost `litellm.X` exception, or a Python internal error that ends a traceback
    /// (LiteLLM maps TypeError, KeyError, ... raised in its own code to `500_INTERNAL_STATE_ERROR`).
    static func innermostException(_ text: String) -> String? {
        var name: String?
        var offset = 0
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { buffer in
            while offset < buffer.count, case .match(let start, let end) = exceptionName.firstMatch(in: buffer, from: offset) {
                let captures = exceptionName.captures(in: UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
                name = captures?["name"] ?? captures?["name2"] ?? name
                offset = max(end, start + 1)
            }
        }
        return name
    }

    private static func first(_ table: [(PCRE2Pattern, String)], in text: String) -> String? {
        table.first { $0.0.matches(text) }?.1
    }

    // The patterns below are fixed in code and covered by LiteLLMCodeTests: a failure is a bug.
    private static func p(_ source: String) -> PCRE2Pattern { try! PCRE2Pattern(source) }

    /// `_PROXY_ERROR_TYPE_MAP`, keyed on the `type` a response body carries or on the fixed
    /// wording the proxy raises each type with (`litellm/proxy/auth/*`, `ProxyErrorTypes`).
    static let proxyTypes: [(PCRE2Pattern, String)] = [
        (p(#"['"]type['"]:\s*['"]budget_exceeded['"]"#), budgetExceeded),
        (p(#"['"]type['"]:\s*['"](?:auth_error|expired_key|token_not_found_in_db|auth_provider_unavailable)['"]"#), authenticationFailed),
        (p(#"['"]type['"]:\s*['"](?:key|team|user|org|project|agent|customer)_model_access_denied['"]"#), modelAccessDenied),
        (p(#"['"]type['"]:\s*['"](?:(?:key|team|org|user)_(?:vector_store|search_tool)_access_denied|tool_access_denied|team_member_permission_error)['"]"#), permissionDenied),
        (p(#"['"]type['"]:\s*['"]not_found_error['"]"#), resourceNotFound),
        // Wordings of `ProxyException(type=auth_error | expired_key | token_not_found_in_db)`.
        (p(#"user_api_key_auth\(\): Exception occ?urr?ed - (?:\d{3}: )?(?:Authentication Error|LiteLLM Virtual Key expected|Malformed API Key|No api key passed in|Expired Key|Token Expired|Key is blocked|Invalid proxy server token)"#), authenticationFailed),
        (p(#"Authentication Error, (?:Invalid proxy server token passed|Invalid API key provided|No api key passed in|Unable to find token in cache)|Authentication Error - Expired Key|token_not_found_in_db"#), authenticationFailed),
        (p(#"\b(?:[Kk]ey|Team|User|Organization|Project|Customer|Team member) not allowed to access model|is not available for this API key, or the model name is invalid|not in the allowed models for this customer"#), modelAccessDenied),
    ]

    /// `_MESSAGE_PATTERNS`, as LiteLLM writes them (case-insensitive).
    static let messagePatterns: [(PCRE2Pattern, String)] = [
        (p(#"(?i)upstream passthrough request failed"#), upstreamPassthrough),
        (p(#"(?i)budget has been exceeded|max budget|crossed budget"#), budgetExceeded),
        (p(#"(?i)no healthy deployments?|no deployments available"#), noHealthyDeployments),
        (p(#"(?i)not allowed to access model due to tags configuration"#), modelAccessDenied),
        (p(#"(?i)is not supported for provider|not implemented"#), unsupportedOperation),
        (p(#"(?i)context window|context length|(?:prompt|input) is too long|tokens? ?> ?\d+ ?maximum"#), contextWindowExceeded),
        (p(#"(?i)missing required parameter|field required"#), missingRequiredParameter),
        (p(#"(?i)overloaded|unable to process your request"#), providerOverloaded),
        (p(#"(?i)connection error|APIConnectionError|TransferEncodingError|payload is not completed|connection reset|peer closed connection|incomplete chunked read"#), providerConnectionError),
        (p(#"(?i)timed? ?out"#), upstreamTimeout),
    ]

    static let routerWrapperPatterns: [(PCRE2Pattern, String)] = [
        (p(#"(?i)no fallback model group found"#), routerNoFallback),
        (p(#"(?i)error doing the fallback|MidStreamFallbackError"#), routerFallbackFailure),
    ]

    /// `_CLASS_CODE_TABLE` and `_classify_by_class`, by class name.
    static let classCodes: [String: String] = [
        "BudgetExceededError": budgetExceeded,
        "RateLimitError": rateLimitExceeded,
        "AuthenticationError": authenticationFailed,
        "CallerCredentialAuthenticationError": authenticationFailed,
        "PermissionDeniedError": permissionDenied,
        "ContextWindowExceededError": contextWindowExceeded,
        "ContentPolicyViolationError": contentPolicyViolation,
        "GuardrailRaisedException": contentPolicyViolation,
        "BlockedPiiEntityError": contentPolicyViolation,
        "UnsupportedParamsError": invalidParameterValue,
        "NotFoundError": resourceNotFound,
        "Timeout": upstreamTimeout,
        "MidStreamFallbackError": routerFallbackFailure,
        "APIConnectionError": providerConnectionError,
        "ServiceUnavailableError": providerOverloaded,
        "InternalServerError": providerInternalError,
        "BadGatewayError": providerInternalError,
        "BadRequestError": invalidRequest,
        "UnprocessableEntityError": invalidRequest,
        "RejectedRequestError": invalidRequest,
        "LiteLLMUnknownProvider": invalidRequest,
        "PaymentRequiredError": invalidRequest,
        "NotImplementedError": unsupportedOperation,
        "TypeError": internalStateError, "KeyError": internalStateError, "AttributeError": internalStateError,
        "IndexError": internalStateError, "RuntimeError": internalStateError, "AssertionError": internalStateError,
        "ZeroDivisionError": internalStateError,
    ]

    /// `_STATUS_CODE_MAP`.
    static let statusCodes: [String: String] = [
        "400": invalidRequest, "401": authenticationFailed, "403": permissionDenied, "404": resourceNotFound,
        "408": upstreamTimeout, "422": invalidParameterValue, "429": rateLimitExceeded, "500": providerInternalError,
        "502": providerInternalError, "503": providerOverloaded, "504": upstreamTimeout,
    ]

    /// `litellm.X` names, and Python internal errors at the start of a line (a traceback's last line).
    static let exceptionName = p(#"\blitellm\.(?:exceptions\.)?(?<name>[A-Z][A-Za-z]*(?:Error|Exception)|Timeout)\b|^(?<name2>TypeError|KeyError|AttributeError|IndexError|RuntimeError|AssertionError|ZeroDivisionError|NotImplementedError):"#)

    /// The status of a `ProxyException` / `HTTPException` the proxy logs as `Exception occured - 400: ...`
    /// (its `code`, which LiteLLM reads from the object).
    static let proxyStatus = p(#"Exception occ?urr?ed - (?:litellm_call_id=\S+ - )?(?<status>[1-5]\d\d): "#)

    /// Wordings of LiteLLM's own limiters (`litellm_rate_limit`).
    static let litellmLimiter = p(#"LiteLLM Rate Limit Handler|Crossed TPM / RPM|Max parallel request limit|Rate limit exceeded for \w+|over available TPM|Deployment over user-defined ratelimit|No deployments available|Budget has been exceeded|ExceededBudget|exceeded budget for model|Max budget limit reached"#)

    static let providerToken = p(#"\b[A-Z][A-Za-z0-9]*(?:_[a-z0-9]+)*Exception\b|\b(?:Anthropic|VertexAI|Bedrock|OpenAI|Azure|Gemini)Error\b"#)
}
