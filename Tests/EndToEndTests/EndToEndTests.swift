import Foundation
import TestSupport
import XCTest

/// Runs the built `logwatch` binary as a user would and compares with golden files.
/// Re-record goldens on purpose with `LOGWATCH_UPDATE_GOLDENS=1 swift test --filter EndToEndTests`.
final class EndToEndTests: XCTestCase {
    static let repository = Repository.root
    static var binary: URL { Repository.product("logwatch") }

    typealias Run = ProcessRunner.Result

    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil) throws -> Run {
        try Self.run(arguments, stdin: stdin)
    }

    /// Runs the built binary in the repository with NO_COLOR; returns status and output.
    static func run(_ arguments: [String], stdin: String? = nil) throws -> Run {
        try ProcessRunner.run(binary, arguments, environment: ["NO_COLOR": "1"], directory: repository,
                              stdin: Data((stdin ?? "").utf8))
    }

    func assertGolden(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try Golden.assertMatches(text, Self.repository.appendingPathComponent("Tests/EndToEndTests/Golden/\(name)"),
                                 file: file, line: line)
    }

    /// `logwatch test` on a plain sample: hits, fields, misses, incidents and the rendered
    /// notices (terminal and Slack preview); the simulated clock keeps the output stable.
    func testTestCommandShowsHitsMissesAndTheNoticesARunWouldSend() throws {
        let result = try run(["test", "Samples/litellm-proxy.log", "--clock", "1764000000", "--print-missed"])
        XCTAssertEqual(result.status, 0, result.stderr)
        try assertGolden(result.stdout, "test-litellm-proxy.txt")
        XCTAssertTrue(result.stdout.contains("== slack-preview (slack):"))
        XCTAssertTrue(result.stdout.contains("\"blocks\""))
        XCTAssertEqual(try run(["test", "Samples/litellm-proxy.log", "--fail-on-missed"]).status, 1, "one record is missed")
        XCTAssertEqual(try run(["test", "Samples/nope.log"]).status, 2)
    }

    func testScanOfThePlainSampleMatchesItsGolden() throws {
        let result = try run(["scan", "Samples/litellm-proxy.log"])
        XCTAssertEqual(result.status, 0, result.stderr)
        try assertGolden(result.stdout, "scan-litellm-proxy.txt")
    }

    func testScanJSONOfTheJSONSampleMatchesItsGolden() throws {
        let result = try run(["scan", "--json", "Samples/litellm-proxy-json.log"])
        XCTAssertEqual(result.status, 0, result.stderr)
        try assertGolden(result.stdout, "scan-litellm-proxy-json.ndjson")
        for line in result.stdout.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            for key in ["source", "line", "rule", "class", "severity", "title", "fields", "text", "entry"] {
                XCTAssertNotNil(object[key], "missing \(key) in \(line.prefix(80))")
            }
        }
    }

    func testExplainLineOfTheSeedGivesAuthAndTheEntryHasEverySection() throws {
        let seed = "litellm.exceptions.AuthenticationError: litellm.AuthenticationError: AzureException AuthenticationError - Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."
        let json = try run(["explain", "--line", seed, "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.split(separator: "\n")[0].utf8)) as! [String: Any]
        XCTAssertEqual(object["class"] as? String, "auth")
        let rule = try XCTUnwrap(object["rule"] as? String)
        let entry = try run(["explain", rule])
        XCTAssertEqual(entry.status, 0)
        for heading in ["Summary", "What this error means", "Common causes", "Checks that tell the causes apart", "Quick fix",
                        "Step-by-step", "How to prevent it", "References", "FAQ"] {
            XCTAssertTrue(entry.stdout.contains(heading), "missing section \(heading)")
        }
        try assertGolden(entry.stdout, "explain-\(rule).txt")
    }

    func testSecretsInTheLogNeverReachTheOutput() throws {
        let log = "10:00:00 - LiteLLM Proxy:ERROR: a.py:1 - litellm.AuthenticationError: OpenAIException - Incorrect API key provided: sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX1234. headers={'Authorization': 'Bearer sk-live-3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c'}\n"
        for arguments in [["scan", "-"], ["scan", "--json", "-"]] {
            let result = try run(arguments, stdin: log)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stdout.contains("1234"), "the last four stay visible")
            XCTAssertFalse(result.stdout.contains("ABCDEFGHIJKLMNOPQRSTUVWX"), result.stdout)
            XCTAssertFalse(result.stdout.contains("3f9a8b7c6d5e4f3a2b1c0d9e"), result.stdout)
        }
    }

    func testRulesCheckPassesOnTheCatalogueAndNamesFileLineFieldOnABadRule() throws {
        let good = try run(["rules", "check"])
        XCTAssertEqual(good.status, 0, good.stdout + good.stderr)
        XCTAssertTrue(good.stdout.contains("0 failed"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lw-bad-\(getpid())/auth")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        try "id: broken\nclass: auth\norigin: proxy\nseverity: error\ntitle: t\nmatch:\n  - 'unclosed ('\n".write(
            to: dir.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        let bad = try run(["rules", "check", dir.deletingLastPathComponent().path])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("broken.yaml:7: match[0]: PCRE2 rejects"), bad.stderr)
        XCTAssertTrue(bad.stderr.contains("broken.yaml:1: entry: missing"), bad.stderr)
    }

    func testUsageErrorsExitWithTwo() throws {
        XCTAssertEqual(try run([]).status, 2)
        XCTAssertEqual(try run(["explain"]).status, 2)
        XCTAssertEqual(try run(["explain", "no-such-rule"]).status, 2)
    }

    func testEntriesBuildWritesAnIndexAndOnePagePerSignature() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("lw-entries-\(getpid())")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try run(["entries", "build", "--out", out.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let list = try run(["rules", "list", "--json"]).stdout.split(separator: "\n")
        let index = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        for line in list {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let id = object["id"] as! String, cls = object["class"] as! String
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("\(cls)/\(id).html").path), id)
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("\(cls)/\(id).md").path), id)
            XCTAssertTrue(index.contains("\(cls)/\(id).html"), id)
        }
    }

    /// The issue's "done when": a journal made by systemd-journal-remote holding litellm.service
    /// interleaved with other units gives exactly litellm's matching records.
    func testScanJournalDirReportsExactlyTheUnitsMatchingRecords() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lw-journal-e2e-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let export = try Data(contentsOf: Self.repository.appendingPathComponent("Samples/litellm-journal.export"))
        try ProcessRunner.journalRemote(export, output: dir.appendingPathComponent("sample.journal"))

        let result = try run(["scan", "--journal-dir", dir.path, "--unit", "litellm.service", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        try assertGolden(result.stdout, "scan-litellm-journal.ndjson")
        var got: [String] = []
        for line in result.stdout.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let fields = object["fields"] as? [String: String] ?? [:]
            let keep = ["provider", "model_group", "team", "status", "key_alias", "template_id"]
            let shown = keep.compactMap { key in fields[key].map { "\(key)=\($0)" } }.sorted().joined(separator: " ")
            got.append("\(object["line"]!)\t\(object["rule"]!)\t\(object["class"]!)\t\(shown)")
            XCTAssertEqual(object["source"] as? String, "journal")
            let text = object["text"] as? String ?? ""
            XCTAssertFalse(text.contains("org-canary") || text.contains("FATAL:  password"), "another unit's entry: \(text.prefix(80))")
        }
        let expected = try String(contentsOf: Self.repository.appendingPathComponent("Samples/litellm-journal.expected.journal.tsv"),
                                  encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
        XCTAssertEqual(got, expected)

        // litellm.service is the default unit; the other units are really in the journal.
        XCTAssertEqual(try run(["scan", "--journal-dir", dir.path, "--json"]).stdout, result.stdout)
        let canary = try run(["scan", "--journal-dir", dir.path, "--unit", "litellm-canary.service", "--json"])
        XCTAssertEqual(canary.stdout.split(separator: "\n").count, 8)
        XCTAssertTrue(canary.stdout.split(separator: "\n").allSatisfy { $0.contains("org-canary") })
        let text = try run(["scan", "--journal-dir", dir.path])
        XCTAssertEqual(text.status, 0, text.stderr)
        try assertGolden(text.stdout, "scan-litellm-journal.txt")
    }

    func testScanWithoutFilesOrAJournalAndAMissingJournalDirAreErrors() throws {
        let none = try run(["scan"])
        XCTAssertEqual(none.status, 2)
        XCTAssertTrue(none.stderr.contains("--journal-dir"), none.stderr)
        XCTAssertEqual(try run(["scan", "Samples/litellm-proxy.log", "--unit", "x.service"]).status, 2)
        let missing = try run(["scan", "--journal-dir", "/nonexistent/journal"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("cannot open the journal directory '/nonexistent/journal'"), missing.stderr)
        let bad = try run(["scan", "--journal-dir", "/tmp", "--match", "lower=x"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("invalid journal match 'lower=x'"), bad.stderr)
    }
}

/// Output gathered from a child process on another thread.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private let ended = DispatchSemaphore(value: 0)

    /// Reads `handle` on a thread of its own until end of file, then signals `waitForEnd()`.
    func drain(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while case let chunk = handle.availableData, !chunk.isEmpty { append(chunk) }
            ended.signal()
        }
    }

    /// Waits until the drained stream ended (the writer closed it, e.g. by exiting).
    @discardableResult
    func waitForEnd(seconds: Double = 30) -> Bool {
        ended.wait(timeout: .now() + seconds) == .success
    }

    func append(_ chunk: Data) {
        lock.lock()
        data.append(chunk)
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}
