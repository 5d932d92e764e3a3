import XCTest
@testable import LogwatchCore

final class MatcherTests: XCTestCase {
    func testPriorityThenSpecificityDecideAndUnlessVetoes() throws {
        let set = try TestRules.compile([
            ("auth/generic.yaml", TestRules.yaml(id: "generic", priority: 0, match: ["AuthenticationError"])),
            ("auth/azure.yaml", TestRules.yaml(id: "azure", priority: 40, match: ["AzureException AuthenticationError"])),
            ("auth/proxy.yaml", TestRules.yaml(id: "proxy", priority: 40, match: ["Invalid proxy server token passed"],
                                               unless: ["Database not connected"])),
            ("auth/short.yaml", TestRules.yaml(id: "short", priority: 40, match: ["Azure"])),
        ])
        let matcher = Matcher(ruleSet: set)
        let azure = matcher.match("litellm.AuthenticationError: AzureException AuthenticationError - Access denied")
        XCTAssertEqual(azure.winner?.id, "azure", "priority 40 beats 0; the longer pattern beats 'Azure'")
        XCTAssertEqual(Set(azure.matches), ["azure", "short", "generic"])
        XCTAssertEqual(matcher.match("Invalid proxy server token passed").winner?.id, "proxy")
        XCTAssertNil(matcher.match("Invalid proxy server token passed, Database not connected").winner)
    }

    func testLookaroundRunsAsPrefilterAndPCRE2Confirms() throws {
        let set = try TestRules.compile([
            ("model/look.yaml", TestRules.yaml(id: "look", cls: "model", match: [#"BadRequestError(?!: Budget)"#])),
        ])
        XCTAssertEqual(set.prefilterCount, 1)
        let matcher = Matcher(ruleSet: set)
        XCTAssertEqual(matcher.match("litellm.BadRequestError: context").winner?.id, "look")
        XCTAssertNil(matcher.match("litellm.BadRequestError: Budget has been exceeded").winner)
    }

    func testCapturesAndCommonFieldsForTheWinner() throws {
        let set = try TestRules.compile([
            ("quota/rl.yaml", TestRules.yaml(id: "rl", cls: "quota", match: [#"RateLimitError: (?<kind>\w+)Exception"#],
                                             fingerprint: ["provider", "model_group"])),
        ])
        let result = Matcher(ruleSet: set).match(
            "litellm.proxy.proxy_server._handle_llm_api_exception(): Exception occured - litellm.RateLimitError: RateLimitError: OpenAIException - slow down. Received Model Group=gpt-4o\nAvailable Model Group Fallbacks=None")
        XCTAssertEqual(result.fields["kind"], "OpenAI")
        XCTAssertEqual(result.fields["provider"], "openai")
        XCTAssertEqual(result.fields["model_group"], "gpt-4o")
        XCTAssertEqual(result.fields["exception"], "RateLimitError")
        XCTAssertEqual(result.fields["endpoint"], "_handle_llm_api_exception")
    }

    func testInnermostExceptionAndProviderSkipsGenericNames() throws {
        let set = try TestRules.compile([("model/x.yaml", TestRules.yaml(id: "x", cls: "model", match: ["ContentPolicy"]))])
        let result = Matcher(ruleSet: set).match(
            "litellm.proxy._types.ProxyException: litellm.BadRequestError: litellm.ContentPolicyViolationError: AzureException - blocked")
        XCTAssertEqual(result.fields["exception"], "ContentPolicyViolationError")
        XCTAssertEqual(result.fields["provider"], "azure")
    }

    func testErrorLookingRecordsWithoutARuleBecomeStableUnknownTemplates() throws {
        let set = try TestRules.compile([("auth/a.yaml", TestRules.yaml(id: "a", match: ["never-in-text"]))])
        let classifier = Classifier(ruleSet: set)
        func record(_ text: String) -> LogRecord { LogRecord(text: Array(text.utf8), source: "t", line: 1) }
        let a = classifier.classify(record("09:00:30 - LiteLLM:ERROR: ledger.py:88 - LedgerSyncError: shard 7 rejected batch 4411 for 'tenant-a'"))
        let b = classifier.classify(record("09:01:02 - LiteLLM:ERROR: ledger.py:91 - LedgerSyncError: shard 12 rejected batch 98 for 'tenant-b'"))
        XCTAssertEqual(a?.ruleClass, .unknown)
        XCTAssertEqual(a?.template?.id, b?.template?.id)
        XCTAssertEqual(a?.template?.id, "u-" + UnknownTemplate.hex(UnknownTemplate.fnv1a(a!.template!.text), digits: 12))
        XCTAssertNil(classifier.classify(record("INFO:     1.2.3.4:5 - \"GET /health/liveliness HTTP/1.1\" 200 OK")))
        let other = classifier.classify(record("ERROR:    something else entirely failed"))
        XCTAssertNotEqual(other?.template?.id, a?.template?.id)
    }

    func testIncidentBookGroupsByRuleAndFingerprintNotRequestIDs() throws {
        let set = try TestRules.compile([
            ("quota/rl.yaml", TestRules.yaml(id: "rl", cls: "quota", match: ["RateLimitError"], fingerprint: ["model_group"])),
        ])
        let classifier = Classifier(ruleSet: set)
        var book = IncidentBook()
        for (i, group) in ["a", "a", "b", "a"].enumerated() {
            let text = "litellm_call_id=\(UUIDLike(i)) - litellm.RateLimitError: x. Received Model Group=\(group)\n"
            book.add(classifier.classify(LogRecord(text: Array(text.utf8), source: "f", line: i + 1))!, time: Double(i))
        }
        XCTAssertEqual(book.incidents.map(\.count), [3, 1])
        XCTAssertEqual(book.incidents[0].first.line, 1)
        XCTAssertEqual(book.incidents[0].last.line, 4)
        XCTAssertEqual(book.dueUpdates(at: 10, interval: 5).count, 2)
        XCTAssertEqual(book.dueUpdates(at: 11, interval: 5).count, 0)
    }

    func UUIDLike(_ i: Int) -> String { "3f0c9a52-6d1e-4b8a-9d0e-2c7f5a1b9e4\(i)" }
}
