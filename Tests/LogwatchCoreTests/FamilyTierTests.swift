import XCTest
@testable import LogwatchCore

/// The family tier: broad rules that class error-looking records no signature matched.
final class FamilyTierTests: XCTestCase {
    func record(_ text: String, level: String? = nil) -> LogRecord {
        var record = LogRecord(text: Array(text.utf8), source: "t", line: 1)
        record.level = level
        return record
    }

    func rules() throws -> RuleSet {
        try TestRules.compile([
            ("runtime/family-internal.yaml", TestRules.yaml(id: "family-internal", cls: "runtime", priority: 99,
                match: [#"(?m)^(?:TypeError|KeyError): "#, "NoneType"],
                example: "Traceback (most recent call last):\nKeyError: 'x'", tier: "family")),
            ("auth/family-denied.yaml", TestRules.yaml(id: "family-denied", cls: "auth", priority: 0,
                match: ["(?i)permission denied"], example: "ERROR: permission denied for team", tier: "family")),
            ("quota/budget.yaml", TestRules.yaml(id: "budget", cls: "quota", priority: 1,
                match: [#"Budget has been exceeded! Current cost:"#], example: "Budget has been exceeded! Current cost: 2")),
            ("benign/quiet.yaml", TestRules.yaml(id: "quiet", cls: "benign", match: ["expected NoneType here"],
                example: "expected NoneType here")),
        ])
    }

    func testASignatureAlwaysBeatsAFamilyWhateverThePriority() throws {
        let classifier = Classifier(ruleSet: try rules())
        // priority 99 family vs priority 1 signature: the signature wins.
        let c = classifier.classify(record("Exception occured - Budget has been exceeded! Current cost: 3\nTypeError: x"))
        XCTAssertEqual(c?.ruleID, "budget")
        XCTAssertEqual(c?.matches, ["budget", "family-internal"])
        // A benign signature silences a record a family would have classed.
        XCTAssertNil(classifier.classify(record("ERROR: expected NoneType here")))
    }

    func testAFamilyClassesOnlyErrorLookingRecords() throws {
        let classifier = Classifier(ruleSet: try rules())
        let traceback = classifier.classify(record("Traceback (most recent call last):\n  File \"litellm/proxy/x.py\", line 1\nKeyError: 'metadata'"))
        XCTAssertEqual(traceback?.ruleID, "family-internal")
        XCTAssertEqual(traceback?.ruleClass, .runtime)
        XCTAssertEqual(traceback?.rule?.isFamily, true)
        // The same family words in a record that does not look like an error: nothing.
        XCTAssertNil(classifier.classify(record("INFO: the docs say permission denied is rare")))
        // ... unless its level says error.
        XCTAssertEqual(classifier.classify(record("the docs say permission denied is rare", level: "ERROR"))?.ruleID, "family-denied")
        // No family matches: unknown, as before.
        XCTAssertEqual(classifier.classify(record("ERROR: ledger shard 7 rejected"))?.ruleClass, .unknown)
    }

    func testFamiliesStayOutOfTheGateAndTheGateStillFindsWhatTheyClass() throws {
        let set = try rules()
        let gate = try XCTUnwrap(RecordGate(ruleSet: set))
        let patterns = gate.database.expressions.map(\.pattern)
        XCTAssertFalse(patterns.contains { $0.contains("permission denied") }, "family pattern in the gate")
        XCTAssertTrue(patterns.contains { $0.contains("Budget has been exceeded") })
        // Every record a family classes passes the gate through its error look.
        let scanner = HyperscanScanner(database: gate.database)
        for text in ["ERROR: permission denied for team", "Traceback (most recent call last):\nKeyError: 'x'"] {
            XCTAssertEqual(Classifier(ruleSet: set).classify(record(text))?.rule?.isFamily, true)
            XCTAssertFalse(Array(text.utf8).withUnsafeBytes { scanner.scan($0) }.isEmpty, text)
        }
    }

    func testTheLoaderReadsTiersAndRefusesBadOnes() throws {
        let set = try rules()
        XCTAssertEqual(set.rule(id: "family-denied")?.spec.tier, .family)
        XCTAssertEqual(set.rule(id: "budget")?.spec.tier, .signature)
        let bad = TestRules.yaml(id: "bad", match: ["x"], tier: "genus")
        let benign = TestRules.yaml(id: "calm", cls: "benign", match: ["x"], tier: "family")
        let (_, problems) = RuleLoader().load(files: [("Rules/auth/bad.yaml", bad), ("Rules/benign/calm.yaml", benign)])
        XCTAssertEqual(problems.map(\.field), ["tier", "tier"])
        XCTAssertTrue(problems[0].message.contains("unknown tier 'genus'"), problems[0].message)
        XCTAssertTrue(problems[1].message.contains("benign"), problems[1].message)
    }

    func testRulesCheckWantsFamilyExamplesToLookLikeErrors() throws {
        let set = try TestRules.compile([
            ("auth/family-quiet.yaml", TestRules.yaml(id: "family-quiet", match: ["refused"], example: "request refused",
                                                      tier: "family")),
        ])
        let report = RuleChecker(ruleSet: set).check()
        XCTAssertEqual(report.failures.map(\.field), ["examples[0]"])
    }
}
