import Foundation
import TestSupport
import XCTest
@testable import LogwatchCore

/// A small real pipeline (rules → classifier → incident book) that produces the notices the
/// payload tests and goldens use, at fixed times.
enum NoticeFixture {
    static let t0: Double = 1_764_000_000  // 2025-11-24T16:00:00Z
    static let source = "/var/log/litellm/proxy.log"

    static func rule(id: String, cls: String, severity: String, title: String, match: String, fingerprint: [String],
                     quickFix: String) -> String {
        TestRules.yaml(id: id, cls: cls, match: [match], fingerprint: fingerprint)
            .replacingOccurrences(of: "severity: error", with: "severity: \(severity)")
            .replacingOccurrences(of: "title: Test rule \(id)", with: "title: \(title)")
            .replacingOccurrences(of: "quick_fix: do the concrete thing \(id)", with: "quick_fix: \(quickFix)")
    }

    static let ruleSet: RuleSet = try! TestRules.compile([
        ("auth/azure-401.yaml", rule(id: "azure-401", cls: "auth", severity: "error",
                                     title: "Azure rejected the deployment's API key",
                                     match: "AuthenticationError: AzureException", fingerprint: ["provider", "model_group"],
                                     quickFix: "Rotate the key in the Azure portal and update AZURE_API_KEY for the deployment.")),
        ("auth/proxy-key.yaml", rule(id: "proxy-key", cls: "auth", severity: "warning",
                                     title: "A client sent a virtual key the proxy does not know",
                                     match: "Invalid proxy server token passed", fingerprint: [],
                                     quickFix: "Check the key with /key/info; issue a new key if it was deleted.")),
        ("quota/openai-429.yaml", rule(id: "openai-429", cls: "quota", severity: "critical",
                                       title: "OpenAI rate limit reached", match: "RateLimitError: OpenAIException",
                                       fingerprint: ["model_group"],
                                       quickFix: "Raise the TPM limit or add a fallback deployment.")),
    ])
    // XCTest runs these tests one at a time; the classifier keeps per-scan scratch state.
    nonisolated(unsafe) static let classifier = Classifier(ruleSet: ruleSet)

    static let azureLine = "litellm.AuthenticationError: AzureException - Incorrect API key provided: sk-proj-AbCdEf1234567890XyZw. Received Model Group=gpt-4o\nTraceback (most recent call last):\n  File \"router.py\", line 12, in acompletion"
    static let proxyLine = "Invalid proxy server token passed. Received API Key = sk-...8aSP, Key Hash (Token) =7cd2579696d03c1f6a2c4b0e1d5f9a8b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f. Unable to find token in cache <user & team>"
    static let quotaLine = "litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached for gpt-4o-mini. Received Model Group=gpt-4o-mini"

    static func classify(_ text: String, line: Int = 1, source: String = source) -> Classification {
        let record = LogRecord(text: Array(text.utf8), source: source, line: line, timestamp: "2025-11-24 16:00:00,123")
        guard let classification = classifier.classify(record) else { fatalError("fixture line not classified: \(text)") }
        return classification
    }

    static let context = NoticeContext(host: "llm-proxy-1", links: EntryLinks(baseURL: "https://runbooks.example.com/logwatch/"),
                                       ruleSet: ruleSet)

    /// firing (2 auth incidents), digest (azure, +40), resolved (both auth incidents).
    static let notices: (firing: Notice, digest: Notice, resolved: Notice) = {
        var book = IncidentBook()
        var all: [Notice] = []
        book.add(classify(azureLine, line: 10), time: t0)
        book.add(classify(proxyLine, line: 12), time: t0 + 2)
        book.add(classify(quotaLine, line: 15), time: t0 + 5)
        for second in stride(from: 0.0, through: 1_200, by: 1) {
            let now = t0 + second
            if second >= 20 && second < 220 && Int(second) % 5 == 0 {
                book.add(classify(azureLine, line: 100 + Int(second)), time: now)
                if Int(second) % 50 == 0 { book.add(classify(proxyLine, line: 101 + Int(second)), time: now) }
            }
            // Later on the daemon looks once a minute, so both auth incidents resolve together.
            if second < 400 || Int(second) % 60 == 0 { all += book.advance(to: now) }
        }
        let firing = all.first { $0.kind == .firing && $0.group == "auth" }!
        let digest = all.first { $0.kind == .digest && $0.group == "auth" }!
        let resolved = all.first { $0.kind == .resolved && $0.group == "auth" }!
        return (firing, digest, resolved)
    }()

    /// Parses a JSON body with Foundation, failing the test when it is not valid JSON.
    static func parse(_ payload: Payload, file: StaticString = #filePath, line: UInt = #line) -> Any? {
        do {
            return try JSONSerialization.jsonObject(with: Data(payload.body), options: [.fragmentsAllowed])
        } catch {
            XCTFail("invalid JSON: \(error)\n\(payload.string.prefix(500))", file: file, line: line)
            return nil
        }
    }

    /// Compares with Tests/LogwatchCoreTests/Golden/`name`; `LOGWATCH_UPDATE_GOLDENS=1` re-records it on purpose.
    static func assertGolden(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try Golden.assertMatches(text, Repository.url("Tests/LogwatchCoreTests/Golden/\(name)"), file: file, line: line)
    }
}
