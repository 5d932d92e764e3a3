import Foundation
import TestSupport
import XCTest
@testable import LogwatchCore

/// The shipped catalogue: every rule's own examples, the catalogue's size and coverage, the
/// corpus framing, and the Samples/ with their expected results.
final class CatalogTests: XCTestCase {
    static let repository = Repository.root
    static let ruleSet: RuleSet = {
        let (specs, problems) = RuleLoader().load(files: try! Repository.ruleFiles(prefix: "Rules/"))
        precondition(problems.isEmpty, "\(problems)")
        return try! RuleCompiler().compile(specs)
    }()

    func testEveryRulePassesItsExamplesCounterexamplesAndEntryChecks() {
        let report = RuleChecker(ruleSet: Self.ruleSet).check()
        XCTAssertEqual(report.failures.map(\.description), [])
        XCTAssertGreaterThanOrEqual(report.examples, report.rules)
    }

    func testCatalogueCoversEveryClassWithAtLeastSeventySignatures() {
        let rules = Self.ruleSet.rules.filter { $0.ruleClass != .benign }
        XCTAssertGreaterThanOrEqual(rules.count, 70)
        for cls in [IncidentClass.auth, .quota, .model, .runtime, .deploy] {
            XCTAssertGreaterThanOrEqual(rules.filter { $0.ruleClass == cls }.count, 3, "class \(cls)")
        }
    }

    func testTheSeedAndTheProxyKeyRejectionAreDifferentRulesWithDifferentFixes() {
        let matcher = Matcher(ruleSet: Self.ruleSet)
        let seed = matcher.match("litellm.exceptions.AuthenticationError: litellm.AuthenticationError: AzureException AuthenticationError - Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.")
        let proxy = matcher.match("litellm.proxy.proxy_server.user_api_key_auth(): Exception occured - Authentication Error, Invalid proxy server token passed. Received API Key = sk-...9f2Q, Key Hash (Token) =7cd2579696d03c1f6a2c4b0e1d5f9a8b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f. Unable to find token in cache or `LiteLLM_VerificationTokenTable`")
        XCTAssertEqual(seed.winner?.ruleClass, .auth)
        XCTAssertEqual(proxy.winner?.ruleClass, .auth)
        XCTAssertNotEqual(seed.winner?.id, proxy.winner?.id)
        XCTAssertEqual(seed.winner?.spec.origin, .provider)
        XCTAssertEqual(proxy.winner?.spec.origin, .proxy)
        XCTAssertNotEqual(seed.winner?.entry.quickFix, proxy.winner?.entry.quickFix)
    }

    /// Multi-line corpus entries must stay one record when fed on their own (no split tracebacks).
    func testMultilineCorpusEntriesWithTracebacksStayOneRecord() throws {
        let text = try String(contentsOf: Repository.corpus, encoding: .utf8)
        var checked = 0
        for line in text.split(separator: "\n") {
            guard let entry = JSONLine.parseObject(String(line)), let body = entry["line"], entry["multiline"] == "true",
                  body.contains("Traceback (most recent call last)"), !body.contains("INFO:     ") else { continue }
            let out = Framer.records(in: body, source: "corpus")
            XCTAssertEqual(out.count, 1, "split into \(out.count) records: \(body.prefix(120))")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 10)
    }

    /// Samples/*.log against Samples/*.expected.tsv: line, rule, class and key fields per matched record.
    func testSamplesMatchTheirExpectedResults() throws {
        let samples = Self.repository.appendingPathComponent("Samples")
        let names = try FileManager.default.contentsOfDirectory(atPath: samples.path).filter { $0.hasSuffix(".expected.tsv") }
        XCTAssertGreaterThanOrEqual(names.count, 2)
        let classifier = Classifier(ruleSet: Self.ruleSet)
        for name in names {
            let log = samples.appendingPathComponent(String(name.dropLast(".expected.tsv".count)) + ".log")
            let records = Framer.records(in: Array(try Data(contentsOf: log)), source: log.lastPathComponent)
            var got: [String] = []
            for record in records {
                guard let c = classifier.classify(record) else { continue }
                let keep = ["provider", "model_group", "team", "status", "key_alias", "template_id"]
                let fields = keep.compactMap { key in c.fields[key].map { "\(key)=\($0)" } }.sorted().joined(separator: " ")
                got.append("\(record.line)\t\(c.ruleID)\t\(c.ruleClass.rawValue)\t\(fields)")
            }
            let expected = try String(contentsOf: samples.appendingPathComponent(name), encoding: .utf8)
                .split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
            XCTAssertEqual(got, expected, name)
        }
    }
}
