import Foundation
import TestSupport
import XCTest
import LogwatchCore
@testable import LogwatchIO

/// `ParallelScan` cuts a file into stretches before lines that open a record and scans them on
/// several threads. Its NDJSON, classifications and line counts must be byte for byte those of
/// framing the whole file on one thread, however the file is cut and however many threads run.
final class ParallelScanTests: XCTestCase {
    static let repository = Repository.root

    static let shared = Result { () throws -> (RuleSet, RecordGate) in
        let (_, ruleSet) = try RuleDirectory.load([repository.appendingPathComponent("Rules").path], cache: nil)
        return (ruleSet, try XCTUnwrap(RecordGate(ruleSet: ruleSet)))
    }

    struct Scan: Equatable {
        var output: [UInt8]
        var rules: [String]
        var lines: Int
        var truncated: Int
    }

    /// Every line framed, on this thread: what the stretches must add up to.
    static func reference(_ path: String, ruleSet: RuleSet) throws -> Scan {
        let classifier = Classifier(ruleSet: ruleSet)
        let renderer = RecordJSON.Renderer(redactor: Redactor(), links: EntryLinks())
        var scan = Scan(output: [], rules: [], lines: 0, truncated: 0)
        let stats = try FileReader.frameBlocks(path: path) { records in
            classifier.classify(batch: records) { c in
                scan.output += renderer.renderBytes(c) + [0x0A]
                scan.rules.append(c.ruleID)
            }
        }
        scan.lines = stats.lines
        scan.truncated = stats.truncatedLines
        return scan
    }

    static func parallel(_ path: String, ruleSet: RuleSet, gate: RecordGate, workers: Int, stretch: Int,
                         holdLimit: Int = ParallelScan.defaultHoldLimit) throws -> Scan {
        var parallel = ParallelScan(path: path, source: path, gate: gate, ruleSet: ruleSet,
                                    renderer: { RecordJSON.Renderer(redactor: Redactor(), links: EntryLinks()) },
                                    workers: workers)
        parallel.stretchSize = stretch
        parallel.holdLimit = holdLimit
        var scan = Scan(output: [], rules: [], lines: 0, truncated: 0)
        let stats = try parallel.run { result in
            scan.output += result.output
            scan.rules += result.classifications.map(\.ruleID)
        }
        scan.lines = stats.lines
        scan.truncated = stats.truncatedLines
        return scan
    }

    func assertSame(_ text: [UInt8], name: String, stretches: [Int], workers: [Int] = [1, 2, 3],
                    holdLimit: Int = ParallelScan.defaultHoldLimit, file: StaticString = #filePath, line: UInt = #line) throws {
        let (ruleSet, gate) = try Self.shared.get()
        let path = NSTemporaryDirectory() + "parallel-scan-\(UUID().uuidString).log"
        FileManager.default.createFile(atPath: path, contents: Data(text))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let expected = try Self.reference(path, ruleSet: ruleSet)
        XCTAssertFalse(expected.rules.isEmpty, "\(name): the input must give output for the test to mean anything",
                       file: file, line: line)
        for n in workers {
            for size in stretches {
                let got = try Self.parallel(path, ruleSet: ruleSet, gate: gate, workers: n, stretch: size, holdLimit: holdLimit)
                XCTAssertEqual(got.lines, expected.lines, "\(name): \(n) workers, stretch \(size): lines", file: file, line: line)
                XCTAssertEqual(got.truncated, expected.truncated, "\(name): \(n) workers, stretch \(size): truncated",
                               file: file, line: line)
                XCTAssertEqual(got.rules, expected.rules, "\(name): \(n) workers, stretch \(size): rules", file: file, line: line)
                if got.output != expected.output {
                    XCTFail("\(name): \(n) workers, stretch \(size): NDJSON differs at byte "
                            + "\(zip(got.output, expected.output).prefix { $0 == $1 }.count)", file: file, line: line)
                }
            }
        }
    }

    static func samples() throws -> [UInt8] {
        var all: [UInt8] = []
        for name in ["litellm-proxy.log", "litellm-proxy-json.log", "litellm-docker.log"] {
            all += try Array(Data(contentsOf: repository.appendingPathComponent("Samples").appendingPathComponent(name)))
        }
        return all
    }

    func testSamplesCutAnywhere() throws {
        let text = try Self.samples()
        try assertSame(text, name: "samples", stretches: [97, 1000, 4096, 1 << 20])
    }

    /// Tracebacks and multi-line records cross stretch ends; CRLF, long lines, blank lines and a
    /// last line without a newline.
    func testRecordsAcrossCuts() throws {
        var text = try Self.samples()
        let traceback = """
        Traceback (most recent call last):
          File "/usr/lib/python3.11/site-packages/litellm/main.py", line 404, in acompletion
            response = await init_response
        litellm.exceptions.RateLimitError: litellm.RateLimitError: AzureException RateLimitError - Requests to the ChatCompletions_Create Operation have exceeded call rate limit.

        """
        for i in 0..<40 {
            text += Array("12:00:\(i % 60) - LiteLLM Proxy:ERROR: proxy_server.py:\(i) - request failed\r\n".utf8)
            text += Array(traceback.utf8)
            if i % 7 == 0 { text += Array("\n\n".utf8) }
            if i % 13 == 0 { text += Array(repeating: UInt8(ascii: "x"), count: 70_000) + [0x0A] }
        }
        text += Array("litellm.exceptions.AuthenticationError: litellm.AuthenticationError: AzureException AuthenticationError - Access denied due to invalid subscription key".utf8)
        try assertSame(text, name: "tracebacks", stretches: [150, 4096, 100_000])
    }

    /// No line opens a record for longer than the hold limit: the rest is scanned on the
    /// calling thread, with the same result.
    func testNowhereToCut() throws {
        var text = try Self.samples()
        text += Array("Traceback (most recent call last):\n".utf8)
        for i in 0..<3000 { text += Array("  File \"/app/x.py\", line \(i), in f\n".utf8) }
        text += Array("litellm.exceptions.BadRequestError: litellm.BadRequestError: OpenAIException - context_length_exceeded\n".utf8)
        text += try Self.samples()
        try assertSame(text, name: "no cut", stretches: [512, 8192], workers: [2], holdLimit: 20_000)
    }

    func testEmptyFile() throws {
        let (ruleSet, gate) = try Self.shared.get()
        let path = NSTemporaryDirectory() + "parallel-scan-empty-\(UUID().uuidString).log"
        FileManager.default.createFile(atPath: path, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: path) }
        let got = try Self.parallel(path, ruleSet: ruleSet, gate: gate, workers: 2, stretch: 1 << 16)
        XCTAssertEqual(got, Scan(output: [], rules: [], lines: 0, truncated: 0))
    }

    func testMissingFileIsAnError() throws {
        let (ruleSet, gate) = try Self.shared.get()
        XCTAssertThrowsError(try Self.parallel("/nonexistent/logwatch.log", ruleSet: ruleSet, gate: gate, workers: 2,
                                               stretch: 1 << 16))
    }
}
