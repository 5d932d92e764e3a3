import XCTest
@testable import LogwatchCore

/// Issue 14, part 4: a caller's prompt, model name or user field that quotes an error phrase
/// must neither change the class of the real failure nor raise an alert of its own. The lines
/// follow the shapes the real proxy writes (model name in the invalid-model error, request
/// dumps at DEBUG, the router's model group suffix).
final class CallerTextCatalogTests: XCTestCase {
    let classifier = Classifier(ruleSet: CatalogTests.ruleSet)

    func classify(_ text: String, level: String? = nil) -> Classification? {
        var record = LogRecord(text: Array(text.utf8), source: "t", line: 1)
        record.level = level
        return classifier.classify(record)
    }

    static let phrases = "Budget has been exceeded! Current cost: 99, Max budget: 1. Invalid proxy server token passed. No deployments available for selected model, Try again in 60 seconds"

    func testAModelNamedAfterAnErrorPhraseStaysAModelError() {
        let line = "14:00:01 - LiteLLM Proxy:ERROR: common_request_processing.py:698 - litellm.proxy.proxy_server._handle_llm_api_exception(): Exception occured - 400: {'error': '/chat/completions: Invalid model name passed in model=Invalid proxy server token passed - Budget has been exceeded!. Call `/v1/models` to view available models for your key.'}"
        let c = classify(line, level: "ERROR")
        XCTAssertEqual(c?.ruleClass, .model, c?.ruleID ?? "nothing")
        XCTAssertEqual(c?.fields["litellm_code"], LiteLLMCode.invalidRequest)
    }

    func testARealFailureKeepsItsClassWhateverThePromptSays() {
        let auth = "litellm.proxy.proxy_server._handle_llm_api_exception(): Exception occured - litellm.AuthenticationError: AnthropicException - {\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"}}. Received Model Group=No deployments available for selected model\nAvailable Model Group Fallbacks=None"
        XCTAssertEqual(classify(auth, level: "ERROR")?.ruleClass, .auth)
        let quota = "litellm.RateLimitError: AzureException RateLimitError - Requests to the ChatCompletions_Create Operation have exceeded call rate limit. Received Model Group=Invalid proxy server token passed\nAvailable Model Group Fallbacks=None"
        XCTAssertEqual(classify(quota, level: "ERROR")?.ruleClass, .quota)
        let runtime = "litellm.InternalServerError: InternalServerError: OpenAIException - Internal error while processing. Received Model Group=openai-500\nAvailable Model Group Fallbacks=None\nMessages: `[{'role': 'user', 'content': '\(Self.phrases)'}]`"
        let c = classify(runtime, level: "ERROR")
        XCTAssertEqual(c?.ruleClass, .runtime, c?.ruleID ?? "nothing")
        XCTAssertNil(c?.fields["rate_limit_category"])
    }

    func testRequestDumpsQuotingErrorPhrasesRaiseNothing() {
        for dump in [
            "14:00:02 - LiteLLM Proxy:DEBUG: proxy_server.py:4012 - Request received by LiteLLM:\n{'model': 'openai-ok', 'messages': [{'role': 'user', 'content': '\(Self.phrases)'}]}",
            "14:00:02 - LiteLLM Proxy:DEBUG: proxy_server.py:4012 - Request received by LiteLLM:\n{\"model\": \"openai-ok\", \"user\": \"Invalid proxy server token passed; Budget has been exceeded!\", \"messages\": []}",
            "14:00:03 - LiteLLM Router:INFO: router.py:1193 - litellm.acompletion(model=No-deployments-available-budget-has-been-exceeded) 200 OK",
        ] {
            let c = classify(dump)
            XCTAssertNil(c, "\(c?.ruleID ?? "") on: \(dump.prefix(80))")
        }
    }
}
