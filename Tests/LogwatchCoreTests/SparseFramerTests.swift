import Foundation
import TestSupport
import XCTest
@testable import LogwatchCore

/// `SparseFramer` frames only the stretches around gate hits. Whatever it skips must be
/// something the full framer would have framed into records that give no output: every
/// classification (record text, lines, level, time, logger, attributes; rule, fields,
/// matches, template) must be identical, whichever way the input is cut into blocks.
final class SparseFramerTests: XCTestCase {
    /// Compiled once for all tests (a few hundred patterns, twice).
    static let shared = Result { () throws -> (RuleSet, RecordGate) in
        let ruleSet = try BlockScanTests.shippedRules()
        return (ruleSet, try XCTUnwrap(RecordGate(ruleSet: ruleSet)))
    }

    static func rules() throws -> (RuleSet, RecordGate) { try shared.get() }

    struct Outcome: Equatable, CustomStringConvertible {
        var line: Int, endLine: Int, text: String, level: String?, timestamp: String?, logger: String?
        var attributes: [String: String], truncated: Bool
        var rule: String, fields: [String: String], matches: [String], template: String?

        var description: String { "line \(line)-\(endLine) \(rule) \(text.prefix(120).debugDescription)" }
    }

    static func outcome(_ c: Classification) -> Outcome {
        let r = c.record
        return Outcome(line: r.line, endLine: r.endLine, text: r.string, level: r.level, timestamp: r.timestamp, logger: r.logger,
                       attributes: r.attributes, truncated: r.truncated,
                       rule: c.ruleID, fields: c.fields, matches: c.matches, template: c.template?.id)
    }

    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }

    static func full(_ bytes: [UInt8], ruleSet: RuleSet) -> [Outcome] {
        var framer = Framer(source: "t")
        var records: [LogRecord] = []
        for (i, line) in lines(bytes).enumerated() { framer.push(line: line, number: i + 1, into: &records) }
        framer.flush(into: &records)
        var got: [Outcome] = []
        Classifier(ruleSet: ruleSet).classify(batch: records) { got.append(outcome($0)) }
        return got
    }

    /// The sparse path, draining every `every` lines (a block boundary in `scan`).
    static func sparse(_ bytes: [UInt8], ruleSet: RuleSet, gate: RecordGate, every: Int) -> (outcomes: [Outcome], framed: Int, lines: Int) {
        var framer = SparseFramer(source: "t", gate: gate)
        var records: [LogRecord] = []
        for (i, line) in lines(bytes).enumerated() {
            framer.push(line: line, into: &records)
            if (i + 1) % every == 0 { framer.drain(into: &records) }
        }
        framer.finish(into: &records)
        var got: [Outcome] = []
        Classifier(ruleSet: ruleSet).classify(batch: records) { got.append(outcome($0)) }
        return (got, framer.statistics.records, framer.statistics.lines)
    }

    /// The same a block of lines at a time (`push(lines:final:)`, the C cleaner), `every` lines
    /// a block, as `scan`'s stretches hand them over.
    static func sparseBlocks(_ bytes: [UInt8], ruleSet: RuleSet, gate: RecordGate, every: Int) -> (outcomes: [Outcome], lines: Int) {
        var framer = SparseFramer(source: "t", gate: gate)
        var records: [LogRecord] = []
        var start = 0, newlines = 0
        for i in bytes.indices where bytes[i] == 0x0A {
            newlines += 1
            if newlines % every == 0 {
                framer.push(lines: bytes[start...i], final: false, into: &records)
                framer.drain(into: &records)
                start = i + 1
            }
        }
        framer.push(lines: bytes[start...], final: true, into: &records)
        framer.finish(into: &records)
        var got: [Outcome] = []
        Classifier(ruleSet: ruleSet).classify(batch: records) { got.append(outcome($0)) }
        return (got, framer.statistics.lines)
    }

    @discardableResult
    func assertSame(_ text: String, every sizes: [Int] = [1, 2, 7, 64, 100_000], name: String,
                    file: StaticString = #filePath, line: UInt = #line) throws -> (outcomes: Int, framed: Int, lines: Int) {
        try assertSame(Array(text.utf8), every: sizes, name: name, file: file, line: line)
    }

    @discardableResult
    func assertSame(_ bytes: [UInt8], every sizes: [Int] = [1, 2, 7, 64, 100_000], name: String,
                    file: StaticString = #filePath, line: UInt = #line) throws -> (outcomes: Int, framed: Int, lines: Int) {
        let (ruleSet, gate) = try Self.rules()
        let expected = Self.full(bytes, ruleSet: ruleSet)
        var framed = 0, lines = 0
        for every in sizes {
            let got = Self.sparse(bytes, ruleSet: ruleSet, gate: gate, every: every)
            framed = got.framed
            lines = got.lines
            XCTAssertEqual(got.lines, Self.lines(bytes).count, "\(name): every \(every): lines", file: file, line: line)
            XCTAssertEqual(got.outcomes.count, expected.count, "\(name): every \(every): number of outcomes", file: file, line: line)
            for (a, b) in zip(got.outcomes, expected) where a != b {
                XCTFail("\(name): every \(every):\n sparse \(a)\n full   \(b)", file: file, line: line)
                break
            }
            if got.outcomes.count != expected.count {
                let missing = expected.filter { !got.outcomes.contains($0) }.prefix(3)
                XCTFail("\(name): every \(every): missed \(missing)", file: file, line: line)
            }
            let blocks = Self.sparseBlocks(bytes, ruleSet: ruleSet, gate: gate, every: every)
            XCTAssertEqual(blocks.lines, Self.lines(bytes).count, "\(name): blocks of \(every): lines", file: file, line: line)
            XCTAssertEqual(blocks.outcomes.count, expected.count, "\(name): blocks of \(every): number of outcomes",
                           file: file, line: line)
            for (a, b) in zip(blocks.outcomes, expected) where a != b {
                XCTFail("\(name): blocks of \(every):\n blocks \(a)\n full   \(b)", file: file, line: line)
                break
            }
        }
        return (expected.count, framed, lines)
    }

    func testSamplesGiveTheSameOutcomes() throws {
        let samples = Repository.url("Samples")
        var total = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: samples.path).sorted() where name.hasSuffix(".log") {
            let bytes = try Array(Data(contentsOf: samples.appendingPathComponent(name)))
            total += try assertSame(bytes, name: name).outcomes
        }
        XCTAssertGreaterThan(total, 20)
    }

    /// Every corpus line and rule example, as plain lines, in colour, as JSON log lines (with
    /// escapes, as LiteLLM's JsonFormatter writes them), as Docker json-file lines and behind
    /// wrappers, between quiet lines so the skipping is exercised.
    func testCorpusAndRuleExamplesInEveryDressGiveTheSameOutcomes() throws {
        let (ruleSet, _) = try Self.rules()
        var texts: [String] = []
        texts += try Repository.corpusTexts()
        for rule in ruleSet.rules {
            texts += (rule.spec.examples + rule.spec.counterexamples).map { (example: RuleSpec.Example) in example.text }
        }
        XCTAssertGreaterThan(texts.count, 300)
        let quiet = "INFO:     127.0.0.1:5000 - \"POST /chat/completions HTTP/1.1\" 200 OK\n"
            + "\u{1B}[92m10:00:00 - LiteLLM Router:INFO\u{1B}[0m: router.py:1 - litellm.acompletion(model=gpt-4o) 200 OK\n"
        func json(_ string: String) -> String {
            let data = try! JSONSerialization.data(withJSONObject: [string], options: [.fragmentsAllowed])
            return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
        }
        var plain = "", colour = "", jsonLines = "", docker = "", wrapped = ""
        for (i, text) in texts.enumerated() {
            plain += quiet + text + "\n"
            colour += quiet + "\u{1B}[91m" + text.replacingOccurrences(of: "Error", with: "\u{1B}[1mError\u{1B}[0m") + "\u{1B}[0m\n"
            let level = ["ERROR", "INFO", "error", "WARNING"][i % 4]
            let first = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            jsonLines += "{\"message\": \(json(String(first[0]))), \"level\": \"\(level)\", \"timestamp\": \"2025-01-01T00:00:0\(i % 10)\""
                + (first.count > 1 ? ", \"stacktrace\": \(json(String(first[1])))" : "") + ", \"litellm_call_id\": \"c\(i)\"}\n"
            jsonLines += "{\"message\": \"quiet \\\"quoted\\\" line \(i)\", \"level\": \"INFO\"}\n"
            for physical in (text + "\n").split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                docker += "{\"log\":\(json(String(physical) + "\n")),\"stream\":\"stderr\",\"time\":\"2025-01-01T00:00:00.000000001Z\"}\n"
            }
            for physical in text.split(separator: "\n", omittingEmptySubsequences: false) {
                wrapped += "litellm-1  | \(physical)\n"
            }
            wrapped += "litellm-1  | " + quiet
        }
        let sizes = [1, 5, 64, 100_000]
        let found = try assertSame(plain, every: sizes, name: "plain").outcomes
        XCTAssertGreaterThan(found, texts.count / 2)
        try assertSame(colour, every: sizes, name: "colour")
        let jsonResult = try assertSame(jsonLines, every: sizes, name: "json")
        XCTAssertGreaterThan(jsonResult.outcomes, texts.count / 2)
        try assertSame(docker, every: sizes, name: "docker")
        try assertSame(wrapped, every: sizes, name: "compose")
    }

    /// Lines whose cleaned form and framed text differ in ways the gate has to allow for.
    func testTrickyLinesGiveTheSameOutcomes() throws {
        let long = String(repeating: "x", count: 70_000)
        let cases: [(String, String)] = [
            ("json error level only", #"{"message": "something odd happened", "level": "error"}"#),
            ("json priority", #"{"MESSAGE": "worker exited", "PRIORITY": "3"}"#),
            ("json message escapes", #"{"msg": "litellm.AuthenticationError: AzureException - {\"error\": {\"code\": \"401\", \"message\": \"Access denied due to invalid subscription key\"}}", "level": "INFO"}"#),
            ("json unicode escape", #"{"message": "litellm.RateLimitError: \u0052ateLimit hit", "level": "INFO"}"#),
            ("json nested message", #"{"message": {"error": "Invalid API Key", "code": 401}, "level": "INFO"}"#),
            ("json non-ascii", #"{"message": "crıtıcal", "level": "crıtıcal"}"#),
            ("json stack", #"{"message": "Exception occured", "stacktrace": "Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: bad", "level": "INFO"}"#),
            ("not json with escapes", #"{'message': 'litellm.BudgetExceededError: Budget has been exceeded!\n'}"#),
            ("json without message", #"{"event": "litellm.AuthenticationError: \"bad key\"", "level": "INFO"}"#),
            ("invalid json", #"{"message": "litellm.NotFoundError: \"model\" not found", "level": }"#),
            ("crlf", "14:37:51 - LiteLLM Proxy:ERROR: proxy_server.py:1 - litellm.BadRequestError: bad\r\n  more\r"),
            ("trailing spaces", "Traceback (most recent call last):   \n  File \"a.py\", line 1   \nopenai.AuthenticationError: Error code: 401   "),
            ("long line", "ERROR: " + long + " litellm.AuthenticationError"),
            ("long quiet line", "INFO: " + long),
            ("rfc3339 wrapper", "2024-12-24T07:33:15.122179216Z litellm.exceptions.NotFoundError: NotFoundError: model not found"),
            ("syslog wrapper", "Apr 08 08:06:58 host litellm[12]: sqlite3.OperationalError: unable to open database file"),
            ("traceback after info", "10:00:00 - LiteLLM:INFO: x.py:1 - starting\nTraceback (most recent call last):\n  File \"a.py\", line 1\nKeyError: 'x'"),
            ("orphan traceback", "Traceback (most recent call last):\n  File \"a.py\", line 1\nhttpx.ConnectError: All connection attempts failed"),
            ("mangled colour", "\u{FFFD}[91mlitellm.ContextWindowExceededError: too long\u{FFFD}[0m"),
        ]
        var all = ""
        for (name, text) in cases {
            let quiet = "INFO:     127.0.0.1:1 - \"GET /health HTTP/1.1\" 200 OK\n"
            try assertSame(quiet + text + "\n" + quiet, name: name)
            all += quiet + text + "\n"
        }
        try assertSame(all, name: "all tricky lines together")
    }

    /// The point of it: on a healthy log almost nothing is framed.
    func testQuietLinesAreNotFramed() throws {
        var log = ""
        for i in 0..<2_000 {
            log += "INFO:     10.0.0.\(i % 200):5000 - \"POST /chat/completions HTTP/1.1\" 200 OK\n"
            log += "{\"message\": \"litellm.acompletion(model=gpt-4o) 200 OK\", \"level\": \"INFO\", \"n\": \(i)}\n"
        }
        log += "14:37:51 - LiteLLM Proxy:ERROR: proxy_server.py:1 - litellm.AuthenticationError: AzureException - invalid subscription key\n"
        let result = try assertSame(log, every: [100, 100_000], name: "quiet")
        XCTAssertEqual(result.outcomes, 1)
        XCTAssertEqual(result.lines, 4_001)
        XCTAssertLessThanOrEqual(result.framed, 2)
    }

    /// No line opens a record for longer than the hold limit: it falls back to framing
    /// everything, with the same outcomes and bounded memory.
    func testEndlessContinuationFallsBackToFullFraming() throws {
        var log = "10:00:00 - LiteLLM:ERROR: x.py:1 - litellm.APIConnectionError: start\n"
        let filler = "    continuation line that never opens a record " + String(repeating: "y", count: 200) + "\n"
        for _ in 0..<(SparseFramer.holdLimit / filler.utf8.count + 200) { log += filler }
        log += "    openai.AuthenticationError: Error code: 401\n"
        try assertSame(log, every: [1_000], name: "endless continuation")
    }

    /// Rules whose anchors tell a record from a line inside a block cannot be gated: `scan`
    /// then frames everything (no gate), and a gate is built for ordinary rules.
    func testRuleSetsWithAbsoluteAnchorsGetNoGate() throws {
        let anchored = try TestRules.compile([("auth/a.yaml", TestRules.yaml(id: "a", match: [#"\AKeyError"#], example: "KeyError"))])
        XCTAssertNil(RecordGate(ruleSet: anchored))
        let plain = try TestRules.compile([("auth/a.yaml", TestRules.yaml(id: "a", match: [#"^KeyError$"#], example: "KeyError"))])
        XCTAssertNotNil(RecordGate(ruleSet: plain))
    }

    func testRelaxedPatternsDropOnlyAnchors() {
        XCTAssertEqual(RecordGate.relaxed(#"^foo$"#), "foo")
        XCTAssertEqual(RecordGate.relaxed(#"(?:^|\s)x[$^a]\$\^"#), #"(?:|\s)x[$^a]\$\^"#)
        XCTAssertEqual(RecordGate.relaxed(#"[^^]+\Q^$\E$"#), #"[^^]+\Q^$\E"#)
        XCTAssertEqual(RecordGate.relaxed(#"[]^]x"#), #"[]^]x"#)
    }

    /// `JSONLine.skim` accepts exactly what `parseObject` accepts, and every value parseObject
    /// returns appears whole in what it writes.
    func testSkimAgreesWithParseObject() {
        var lines = [
            #"{"message": "a \"b\" \\ c\nd", "level": "ERROR", "n": 1, "t": true, "z": null, "o": {"k": "v\"w"}, "a": [1, "x"]}"#,
            #"{"message": "\ud83d\ude00 \u0041", "x": "\uzzzz"}"#,
            #"{"message": "\ud83d\ude00 \u0041"}"#,
            #"{"msg": "x" } "#, #"{"msg": "x" } y"#, #"{}"#, #"{"a": }"#, #"{"a": 1,}"#, #"{"a" 1}"#, #"{"a": 1e5, "b": -2}"#,
            #"{"a": abc}"#, #"{"a": "unterminated}"#, #"{"a": {"b": [}]}"#, #"{"a": "\"}"#, #"{"a": "x\"}"#, #"{'a': 'b'}"#,
            #"  {"log": "line\n", "stream": "stdout"}"#, #"{"a": "\q"}"#, #"{"a": "x\"#,
        ]
        // Every prefix of the richest line too: truncation anywhere.
        let rich = lines[0]
        for n in 0..<rich.utf8.count { lines.append(String(decoding: Array(rich.utf8).prefix(n), as: UTF8.self)) }
        for line in lines {
            let bytes = Array(line.utf8)[...]
            let parsed = JSONLine.parseObject(bytes)
            var out: [UInt8] = [7]
            let skim = JSONLine.skim(bytes, into: &out)
            XCTAssertEqual(skim != nil, parsed != nil, line)
            guard let parsed, skim != nil else {
                XCTAssertEqual(out, [7], "left untouched: \(line)")
                continue
            }
            let written = String(decoding: out.dropFirst(), as: UTF8.self)
            for (key, value) in parsed where !line.contains("\\u") && !value.isEmpty {
                XCTAssertTrue(written.contains(value), "\(key) value \(value.debugDescription) in \(written.debugDescription)")
            }
            XCTAssertEqual(skim?.hasMessageKey, parsed["message"] != nil || parsed["msg"] != nil || parsed["MESSAGE"] != nil, line)
            XCTAssertEqual(skim?.hasLogKey, parsed["log"] != nil, line)
        }
    }
}
