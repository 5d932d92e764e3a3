import XCTest
@testable import LogwatchCore

/// LiteLLM's `normalized_error`, read from log text, and the masking of caller text.
final class LiteLLMCodeTests: XCTestCase {
    func code(_ text: String, _ fields: [String: String] = [:], origin: Origin? = nil) -> LiteLLMCode.Verdict {
        LiteLLMCode.verdict(text: text, fields: fields, origin: origin)
    }

    func testEachStepOfNormalizeErrorInItsOrder() {
        // Proxy error type from a response body beats the message and the class.
        XCTAssertEqual(code(#"{"error":{"message":"Authentication Error, User not found","type":"auth_error","code":"400"}}"#).code,
                       LiteLLMCode.authenticationFailed)
        XCTAssertEqual(code("litellm.proxy.proxy_server.user_api_key_auth(): Exception occured - Authentication Error, Invalid proxy server token passed. key=abc, not found in db.").code,
                       LiteLLMCode.authenticationFailed)
        XCTAssertEqual(code("Exception occured - key not allowed to access model. This key can only access models=['a']. Tried to access gpt-4o").code,
                       LiteLLMCode.modelAccessDenied)
        // Message patterns, LiteLLM's own regexes.
        XCTAssertEqual(code("litellm.BadRequestError: OpenAIException - Budget has been exceeded! Current cost: 2, Max budget: 1").code,
                       LiteLLMCode.budgetExceeded)
        XCTAssertEqual(code("ExceededBudget: User=u1 over budget. Spend=3, Budget=1").code, LiteLLMCode.budgetExceeded,
                       "'exceeded' then 'budget' on one line")
        XCTAssertEqual(code("No deployments available for selected model, Try again in 5 seconds. Passed model=gpt-4o.").code,
                       LiteLLMCode.noHealthyDeployments)
        XCTAssertEqual(code("litellm.BadRequestError: litellm.ContextWindowExceededError: This model's maximum context length is 8192 tokens").code,
                       LiteLLMCode.contextWindowExceeded)
        XCTAssertEqual(code("litellm.InternalServerError: AnthropicException - Overloaded").code, LiteLLMCode.providerOverloaded)
        XCTAssertEqual(code("litellm.Timeout: APITimeoutError - Request timed out.").code, LiteLLMCode.upstreamTimeout)
        // Status 529 before the class.
        XCTAssertEqual(code("litellm.InternalServerError: AnthropicException - busy", ["status": "529"]).code,
                       LiteLLMCode.providerOverloaded)
        // Class table: the innermost litellm.X, then Python internal errors.
        XCTAssertEqual(code("litellm.AuthenticationError: AzureException AuthenticationError - Access denied").code,
                       LiteLLMCode.authenticationFailed)
        XCTAssertEqual(code("litellm.BadRequestError: litellm.ContentPolicyViolationError: AzureException - filtered").code,
                       LiteLLMCode.contentPolicyViolation)
        XCTAssertEqual(code("litellm.NotFoundError: OpenAIException - The model `gpt-9` does not exist").code, LiteLLMCode.resourceNotFound)
        XCTAssertEqual(code("Traceback (most recent call last):\n  File \"litellm/proxy/x.py\"\nKeyError: 'metadata'").code,
                       LiteLLMCode.internalStateError)
        // Router wrapper, then the status table, then UNCLASSIFIED.
        XCTAssertEqual(code("litellm.APIError: boom\nError doing the fallback: boom2").code, LiteLLMCode.routerFallbackFailure)
        XCTAssertEqual(code("upstream said no", ["status": "403"]).code, LiteLLMCode.permissionDenied)
        XCTAssertEqual(code("something odd").code, LiteLLMCode.unclassified)
    }

    func testRateLimitCategoryTellsTheVendorFromLiteLLMsOwnLimiter() {
        let vendor = code("litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached for gpt-4o", origin: .provider)
        XCTAssertEqual(vendor, .init(code: LiteLLMCode.rateLimitExceeded, rateLimitCategory: LiteLLMCode.vendorRateLimit))
        let proxy = code("LiteLLM Rate Limit Handler for rate limit type = key. Crossed TPM / RPM / Max Parallel Request Limit. current rpm: 3, rpm limit: 2",
                         ["status": "429"])
        XCTAssertEqual(proxy, .init(code: LiteLLMCode.rateLimitExceeded, rateLimitCategory: LiteLLMCode.litellmRateLimit))
        XCTAssertEqual(code("No deployments available for selected model", origin: .router).rateLimitCategory, LiteLLMCode.litellmRateLimit)
        XCTAssertNil(code("litellm.AuthenticationError: x").rateLimitCategory, "only 429 codes carry a category")
    }

    func testCallerTextCannotPickTheCode() {
        // A model name made of an error phrase: the real failure is an invalid model (400).
        let model = code("litellm.proxy.proxy_server.chat_completion(): Exception occured - 400: {'error': '/chat/completions: Invalid model name passed in model=Invalid proxy server token passed - Budget has been exceeded!. Call `/v1/models` to view available models for your key.'}",
                         ["status": "400"])
        XCTAssertEqual(model.code, LiteLLMCode.invalidRequest)
        // A provider 500 whose request's user field quotes a budget message.
        let user = code("litellm.InternalServerError: OpenAIException - Internal error. Received Model Group=openai-500\nAvailable Model Group Fallbacks=None {'user': 'Budget has been exceeded! Current cost: 99, Max budget: 1'}")
        XCTAssertEqual(user.code, LiteLLMCode.providerInternalError)
    }

    func testMaskingKeepsKeysAndReplacesWholeValues() {
        XCTAssertEqual(CallerText.masked("Invalid model name passed in model=No deployments available here. Call `/v1/models` to view"),
                       "Invalid model name passed in model=caller-text. Call `/v1/models` to view")
        XCTAssertEqual(CallerText.masked("x. Received Model Group=Budget has been exceeded!\nAvailable Model Group Fallbacks=None"),
                       "x. Received Model Group=caller-text\nAvailable Model Group Fallbacks=None")
        XCTAssertEqual(CallerText.masked(#"{'role': 'user', 'content': 'it\'s Budget has been exceeded!'}"#),
                       #"{'role': 'user', 'content': 'caller-text'}"#)
        XCTAssertEqual(CallerText.masked("litellm.acompletion(model=azure/gpt-4o) Exception boom"),
                       "litellm.acompletion(model=caller-text) Exception boom")
        let plain = "litellm.RateLimitError: RateLimitError: OpenAIException - slow down"
        XCTAssertEqual(CallerText.masked(plain), plain)
    }

    func testMatcherIgnoresCallerTextButReadsFieldsFromTheRecord() throws {
        let set = try TestRules.compile([
            ("auth/proxy-key.yaml", TestRules.yaml(id: "proxy-key", priority: 80, match: ["Invalid proxy server token passed"])),
            ("model/bad-model.yaml", TestRules.yaml(id: "bad-model", cls: "model", priority: 10,
                                                    match: ["Invalid model name passed in model="])),
        ])
        let result = Matcher(ruleSet: set).match("Exception occured - 400: Invalid model name passed in model=Invalid proxy server token passed. Call `/v1/models` to view")
        XCTAssertEqual(result.winner?.id, "bad-model")
        XCTAssertEqual(result.matches, ["bad-model"])
        XCTAssertEqual(result.fields["model_group"], "Invalid")
    }
}
