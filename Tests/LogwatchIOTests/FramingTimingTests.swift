import Foundation
import TestSupport
import XCTest
@testable import LogwatchCore
@testable import LogwatchIO

/// The same lines give the same records however they arrive (issue 13): in one write, from a
/// file read at once, or through a pipe one line every 50 ms, which is slower than the
/// follower's idle timeout, so open records are handed on early and then replaced by their
/// final form. Classifications handed on early and then taken back must net out to those of
/// the final records.
final class FramingTimingTests: XCTestCase {
    /// Every corpus entry, sample log and captured real-proxy log in the repository.
    static func inputs() throws -> [(name: String, text: String)] {
        var inputs: [(String, String)] = []
        let fixtures = Repository.url("Tests/Fixtures")
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: fixtures.appendingPathComponent("corpus").path))?.sorted() ?? []
        where name.hasSuffix(".jsonl") {
            let data = try Data(contentsOf: fixtures.appendingPathComponent("corpus/" + name))
            for (i, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
                guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let text = object["line"] as? String else { continue }
                inputs.append(("\(name)#\(i + 1)", text))
            }
        }
        var logs: [String] = []
        if let walker = fm.enumerator(atPath: fixtures.appendingPathComponent("litellm-live").path) {
            for case let path as String in walker where path.hasSuffix(".log") { logs.append("litellm-live/" + path) }
        }
        for path in logs.sorted() {
            let data = try Data(contentsOf: fixtures.appendingPathComponent(path))
            inputs.append((path, String(decoding: data, as: UTF8.self)))
        }
        for name in try fm.contentsOfDirectory(atPath: Repository.path("Samples")).sorted()
        where name.hasSuffix(".log") {
            let data = try Data(contentsOf: Repository.url("Samples/" + name))
            inputs.append(("Samples/" + name, String(decoding: data, as: UTF8.self)))
        }
        return inputs
    }

    struct Framed: Equatable, CustomStringConvertible {
        var line: Int
        var endLine: Int
        var text: String
        var description: String { "\(line)-\(endLine): \(text.prefix(120))" }
        init(_ record: LogRecord) {
            line = record.line
            endLine = record.endLine
            text = record.string
        }
    }

    func testOneWriteAFileAndAPipeAtFiftyMillisecondsPerLineGiveTheSameRecords() throws {
        let inputs = try Self.inputs()
        XCTAssertGreaterThan(inputs.count, 250, "the corpora are in Tests/Fixtures/corpus")
        let rules = try RuleDirectory.load([Repository.path("Rules")], cache: nil).ruleSet
        let classifier = Classifier(ruleSet: rules)
        let dir = try Scratch.directory("timing")
        defer { try? FileManager.default.removeItem(at: dir) }

        var expected: [[Framed]] = []
        var expectedRules: [[String]] = []
        for (index, input) in inputs.enumerated() {
            let records = Self.frameAtOnce(input.text)
            expected.append(records.map(Framed.init))
            expectedRules.append(records.compactMap { classifier.classify($0)?.ruleID }.sorted())
            // From a file read at once.
            let path = dir.appendingPathComponent("\(index).log")
            try Data(input.text.utf8).write(to: path)
            var fromFile: [Framed] = []
            _ = try FileReader.frame(path: path.path, source: "t") { fromFile.append(Framed($0)) }
            XCTAssertEqual(fromFile, expected[index], "file: \(input.name)")
        }

        // Through pipes, in one write and then a line every 50 ms: one pipeline follows every
        // input at once, each on its own pipe, with the follower's default idle timeouts. A line
        // every 50 ms is slower than the one-line idle timeout (20 ms), so open records are
        // handed on early all the time. Long captured logs go through it as their first
        // `perLineLimit` lines (framed at once for the comparison), which keeps the run near a minute.
        let (records, classified) = try follow(inputs.map(\.text), rules: rules, perLine: false)
        for (index, input) in inputs.enumerated() {
            XCTAssertEqual(records[index], expected[index], "pipe, one write: \(input.name)")
            XCTAssertEqual(classified[index].sorted(), expectedRules[index], "pipe, one write, classes: \(input.name)")
        }
        let prefixes = inputs.map { input -> String in
            let lines = input.text.split(separator: "\n", omittingEmptySubsequences: false)
            guard lines.count > Self.perLineLimit else { return input.text }
            return lines.prefix(Self.perLineLimit).joined(separator: "\n")
        }
        let (slowRecords, slowClassified) = try follow(prefixes, rules: rules, perLine: true)
        for (index, input) in inputs.enumerated() {
            let text = prefixes[index]
            let records = Self.frameAtOnce(text)
            XCTAssertEqual(slowRecords[index], records.map(Framed.init), "pipe, 50 ms per line: \(input.name)")
            XCTAssertEqual(slowClassified[index].sorted(), records.compactMap { classifier.classify($0)?.ruleID }.sorted(),
                           "pipe, 50 ms per line, classes: \(input.name)")
        }
    }

    static let perLineLimit = 1_200

    /// The whole text framed at once. A final newline ends the last line; it does not start an
    /// empty one (and an empty text has no line at all).
    static func frameAtOnce(_ text: String) -> [LogRecord] {
        guard !text.isEmpty else { return [] }
        return Framer.records(in: text.hasSuffix("\n") ? String(text.dropLast()) : text, source: "t")
    }

    /// Follows each text through a pipe of its own (written at once, or a line every 50 ms) and
    /// returns, per text, the final records and the rules of the classifications left standing.
    func follow(_ texts: [String], rules: RuleSet, perLine: Bool) throws -> ([[Framed]], [[String]]) {
        // Two descriptors a text: ask for the hard limit when the soft one is short.
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < rlim_t(texts.count * 2 + 256) {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        var fds: [(read: Int32, write: Int32)] = []
        for _ in texts {
            var pair: [Int32] = [0, 0]
            XCTAssertEqual(pipe(&pair), 0)
            fds.append((pair[0], pair[1]))
        }
        var records = Array(repeating: [Framed](), count: texts.count)
        var classified = Array(repeating: [String](), count: texts.count)
        var handler = Pipeline.Handler()
        handler.record = { record, _ in records[Int(record.source)!].append(Framed(record)) }
        handler.classified = { classification, _ in classified[Int(classification.record.source)!].append(classification.ruleID) }
        handler.retracted = { classification, _ in
            let k = Int(classification.record.source)!
            if let i = classified[k].firstIndex(of: classification.ruleID) { classified[k].remove(at: i) }
        }
        let pipeline = try Pipeline(ruleSet: rules, store: nil, handler: handler)
        for k in texts.indices { pipeline.add(StreamSource(fd: fds[k].read, label: "\(k)")) }
        let writers = fds.map(\.write)
        let chunks: [[String]] = texts.map { text in
            guard perLine else { return [text] }
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) + "\n" }
            // The last piece has no newline of its own (empty when the text ends with one).
            lines[lines.count - 1].removeLast()
            if lines[lines.count - 1].isEmpty { lines.removeLast() }
            return lines
        }
        let writer = Thread {
            let longest = chunks.map(\.count).max() ?? 0
            for i in 0..<longest {
                for (k, pieces) in chunks.enumerated() where i < pieces.count {
                    let bytes = Array(pieces[i].utf8)
                    _ = bytes.withUnsafeBytes { write(writers[k], $0.baseAddress, $0.count) }
                    if i == pieces.count - 1 { close(writers[k]) }
                }
                if perLine { usleep(50_000) }
            }
            for (k, pieces) in chunks.enumerated() where pieces.isEmpty { close(writers[k]) }
        }
        writer.start()
        pipeline.run() // returns when every pipe is at its end
        for pair in fds { close(pair.read) }
        return (records, classified)
    }

    /// A real journal where proxy errors are written one line per entry, interleaved with
    /// another error's traceback pieces: one record per error, none swallowed by a neighbour.
    func testARealJournalWithInterleavedErrorsGivesOneRecordPerError() throws {
        let dir = try Scratch.directory("timing-journal")
        defer { try? FileManager.default.removeItem(at: dir) }
        var export = JournalExport()
        let azure = "litellm.exceptions.AuthenticationError: litellm.AuthenticationError: AzureException AuthenticationError - "
            + "Access denied due to invalid subscription key or wrong API endpoint."
        export.log("09:00:00 - LiteLLM Router:INFO: router.py:1 - litellm.acompletion(model=gpt-4o) Exception litellm.RateLimitError: "
                   + "RateLimitError: OpenAIException - Rate limit reached for gpt-4o", priority: 6)
        for i in 0..<5 {
            export.log(azure, priority: 3)
            export.log("09:00:0\(i) - LiteLLM Proxy:ERROR: proxy_server.py:1 - Exception occured - litellm.RateLimitError: slow down",
                       priority: 3)
            export.log("Traceback (most recent call last):", step: 10)
            export.log("  File \"/app/router.py\", line 1, in f", step: 10)
            export.log("litellm.exceptions.RateLimitError: litellm.RateLimitError: slow down", step: 10)
            export.log("INFO:     10.0.0.1:5000 - \"POST /chat/completions HTTP/1.1\" 429 Too Many Requests")
        }
        try export.write(to: dir)
        var records: [LogRecord] = []
        _ = try JournalScan(directory: dir.path, units: ["litellm.service"], matches: []).frame { records.append($0) }
        XCTAssertEqual(records.count, 1 + 5 * 3, records.map(\.string).joined(separator: "\n---\n"))
        XCTAssertEqual(records.filter { $0.string == azure }.count, 5, "each Azure 401 entry is a record of its own")
        XCTAssertEqual(records.filter { $0.string.hasSuffix("litellm.exceptions.RateLimitError: litellm.RateLimitError: slow down") }.count, 5)
    }
}
