import Foundation
import TestSupport
import XCTest
@testable import LogwatchCore

/// The batch path (`Classifier.classify(batch:)`: one Hyperscan scan per block, per-record work
/// only for candidates) must give exactly what `classify(_:)` gives record by record.
final class BlockScanTests: XCTestCase {
    static let repository = Repository.root

    static func shippedRules() throws -> RuleSet {
        let (specs, problems) = RuleLoader().load(files: try Repository.ruleFiles())
        XCTAssertEqual(problems, [])
        return try RuleCompiler().compile(specs)
    }

    struct Outcome: Equatable {
        var line: Int, rule: String, fields: [String: String], matches: [String], template: String?
    }

    static func outcome(_ c: Classification) -> Outcome {
        Outcome(line: c.record.line, rule: c.ruleID, fields: c.fields, matches: c.matches, template: c.template?.id)
    }

    /// Classifies `records` both ways, in blocks of the given sizes, and compares.
    func assertSameBothWays(_ records: [LogRecord], ruleSet: RuleSet, blockSizes: [Int], file: StaticString = #filePath,
                            line: UInt = #line) -> Int {
        let slow = Classifier(ruleSet: ruleSet)
        let expected = records.compactMap { slow.classify($0) }.map(Self.outcome)
        let fast = Classifier(ruleSet: ruleSet)
        for size in blockSizes {
            var got: [Outcome] = []
            var start = 0
            while start < records.count {
                let end = min(records.count, start + size)
                fast.classify(batch: Array(records[start..<end])) { got.append(Self.outcome($0)) }
                start = end
            }
            XCTAssertEqual(got.count, expected.count, "block size \(size)", file: file, line: line)
            for (a, b) in zip(got, expected) where a != b {
                XCTFail("block size \(size): \(a) != \(b)", file: file, line: line)
                break
            }
        }
        return expected.count
    }

    func testBlockScanMatchesRecordByRecordOnTheSamples() throws {
        let ruleSet = try Self.shippedRules()
        let samples = Self.repository.appendingPathComponent("Samples")
        var total = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: samples.path) where name.hasSuffix(".log") {
            let bytes = try Array(Data(contentsOf: samples.appendingPathComponent(name)))
            let records = Framer.records(in: bytes, source: name)
            total += assertSameBothWays(records, ruleSet: ruleSet, blockSizes: [1, 2, 7, 1000])
        }
        XCTAssertGreaterThan(total, 20)
    }

    func testBlockScanMatchesRecordByRecordOnTheCorpusAndRuleExamples() throws {
        let ruleSet = try Self.shippedRules()
        var texts: [String] = []
        texts += try Repository.corpusTexts()
        for rule in ruleSet.rules {
            texts += (rule.spec.examples + rule.spec.counterexamples).map { (example: RuleSpec.Example) in example.text }
        }
        XCTAssertGreaterThan(texts.count, 300)
        // Each text as its own record, and all of them as one log framed together (neighbours
        // then share a block, which is what a spanning match would trip over).
        let single = texts.enumerated().flatMap { i, text in Framer.records(in: text, source: "t\(i)") }
        let joined = Framer.records(in: texts.joined(separator: "\n"), source: "all")
        let n1 = assertSameBothWays(single, ruleSet: ruleSet, blockSizes: [1, 3, 50, 100_000])
        let n2 = assertSameBothWays(joined, ruleSet: ruleSet, blockSizes: [2, 64, 100_000])
        XCTAssertGreaterThan(n1, 300)
        XCTAssertGreaterThan(n2, 100)
    }

    func testBenignOnlyRecordsStayQuietUnlessTheirLevelSaysError() throws {
        let ruleSet = try TestRules.compile([
            ("benign/ok.yaml", TestRules.yaml(id: "ok", cls: "benign", match: ["200 OK"], example: "200 OK")),
            ("auth/bad.yaml", TestRules.yaml(id: "bad", match: ["BadKey"], example: "BadKey")),
        ])
        let records = Framer.records(in: "09:00:01 - LiteLLM:INFO: a.py:1 - 200 OK\nERROR:    x 200 OK\nINFO: fine\nBadKey 200 OK",
                                     source: "t")
        let fast = Classifier(ruleSet: ruleSet)
        var got: [String] = []
        fast.classify(batch: records) { got.append("\($0.record.line):\($0.ruleID)") }
        let slow = records.compactMap { Classifier(ruleSet: ruleSet).classify($0) }.map { "\($0.record.line):\($0.ruleID)" }
        XCTAssertEqual(got, slow)
        XCTAssertEqual(got, ["3:bad"]) // "BadKey 200 OK" continues the INFO record
    }

    func testRuleSetsWithAbsoluteAnchorsAreNotBlockScanned() throws {
        XCTAssertTrue(RuleSet.hasAbsoluteAnchor(#"\Afoo"#))
        XCTAssertTrue(RuleSet.hasAbsoluteAnchor(#"foo\z"#))
        XCTAssertFalse(RuleSet.hasAbsoluteAnchor(#"\\Afoo"#))
        XCTAssertFalse(RuleSet.hasAbsoluteAnchor(#"^foo$ \bA"#))
        XCTAssertTrue(RuleSet.hasAbsoluteAnchor(#"(?-m)foo$"#))
        XCTAssertTrue(RuleSet.hasAbsoluteAnchor(#"(?i-m:foo$)"#))
        XCTAssertTrue(RuleSet.hasAbsoluteAnchor(#"(?^)foo$"#))
        XCTAssertFalse(RuleSet.hasAbsoluteAnchor(#"(?i)foo (?-i:Bar) (?<name>x) (?:m)"#))
        let ruleSet = try TestRules.compile([("auth/a.yaml", TestRules.yaml(id: "a", match: [#"\AKeyError"#], example: "KeyError"))])
        XCTAssertNil(Matcher(ruleSet: ruleSet).candidates(Framer.records(in: "x\nKeyError", source: "t")))
        var got: [Int] = []
        Classifier(ruleSet: ruleSet).classify(batch: Framer.records(in: "x\nKeyError", source: "t")) { got.append($0.record.line) }
        XCTAssertEqual(got, [2]) // `KeyError` after a plain line is a record of its own, classified without the block scan
    }

    /// `RecordJSON.Renderer` writes field by field with per-rule caches; `RecordJSON.render` goes
    /// through a `JSONWriter.Value` tree. Same bytes for every kind of record: rules and unknown
    /// errors, ASCII and not, secrets to mask, levels, timestamps, templates, truncated lines.
    func testCachedEntryRendererWritesTheSameBytes() throws {
        let ruleSet = try Self.shippedRules()
        var texts: [String] = []
        let samples = Self.repository.appendingPathComponent("Samples")
        for name in try FileManager.default.contentsOfDirectory(atPath: samples.path) where name.hasSuffix(".log") {
            texts.append(try String(contentsOf: samples.appendingPathComponent(name), encoding: .utf8))
        }
        texts += try Repository.corpusTexts()
        for rule in ruleSet.rules { texts += rule.spec.examples.map(\.text) }
        texts += [
            "ERROR: café crashed with KeyError: 'modèle' api_key=sk-abcdefghijklmnop1234 \u{1}",
            "{\"level\": \"ERROR\", \"message\": \"Weird failure 42 at /v1/x\", \"timestamp\": \"2025-01-01T00:00:00Z\"}",
            "ERROR: " + String(repeating: "x", count: 70_000) + " RateLimitError: too many",
            "ERROR: bad byte \u{FFFD} Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345",
        ]
        let classifier = Classifier(ruleSet: ruleSet)
        let redactor = Redactor()
        let renderer = RecordJSON.Renderer(redactor: redactor, links: EntryLinks())
        var n = 0, unknown = 0
        for (i, text) in texts.enumerated() {
            for record in Framer.records(in: text, source: "s\(i)") {
                guard let c = classifier.classify(record) else { continue }
                XCTAssertEqual(renderer.render(c), RecordJSON.render(c, redactor: redactor, links: EntryLinks()))
                n += 1
                if c.rule == nil { unknown += 1 }
            }
        }
        XCTAssertGreaterThan(n, 300)
        XCTAssertGreaterThan(unknown, 2)
    }

    func testJSONEscapingByBytesKeepsTheContract() {
        XCTAssertEqual(JSONWriter.write(.string("a\"b\\c\nd\re\tf\u{01}g\u{7F}h é 😀")),
                       #""a\"b\\c\nd\re\tf\u0001g\u007fh é 😀""#)
    }
}
