import Foundation
import TestSupport
import XCTest
@testable import LogwatchIO
import LogwatchCore

/// Real files, real renames and truncations.
final class FileTailerTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try Scratch.directory("lw-io")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    func append(_ path: String, _ text: String) throws {
        let handle = FileHandle(forWritingAtPath: path)!
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try handle.close()
    }

    /// Reads what the tailer has now: the lines, and the checkpoint after the last one.
    func collect(_ tailer: FileTailer) -> (text: String, checkpoint: String?) {
        var text = ""
        var last: Int64?
        _ = tailer.read(maxLines: 100_000) { line, token, _ in
            text += String(decoding: line, as: UTF8.self) + "\n"
            if let last { XCTAssertGreaterThan(token, last, "tokens increase") }
            last = token
        }
        return (text, last.flatMap { tailer.checkpoint(after: $0) })
    }

    func text(_ tailer: FileTailer) -> String { collect(tailer).text }

    func testWaitsForAMissingFileThenFollowsRenameRotationAndTruncation() throws {
        let path = dir.appendingPathComponent("proxy.log").path
        let tailer = FileTailer(path: path, fromStart: false)
        XCTAssertEqual(text(tailer), "", "a missing file is waited for")
        XCTAssertEqual(tailer.takeEvents().map(\.kind), [.waiting])
        FileManager.default.createFile(atPath: path, contents: Data("before\n".utf8))
        XCTAssertEqual(text(tailer), "", "following starts at the end")
        try append(path, "one\n")
        XCTAssertEqual(text(tailer), "one\n")
        // Rename rotation: the old file's tail is drained, then the new file is read from its start.
        try append(path, "two\n")
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        FileManager.default.createFile(atPath: path, contents: Data("three\n".utf8))
        XCTAssertEqual(text(tailer), "two\nthree\n")
        XCTAssertEqual(tailer.takeEvents().map(\.kind), [.rotated])
        // copytruncate: the shrink is noticed, reading restarts at 0 and a possible gap is reported.
        try append(path, "four and more text\n")
        XCTAssertEqual(text(tailer), "four and more text\n")
        try Data("five\n".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(text(tailer), "five\n")
        let truncated = tailer.takeEvents()
        XCTAssertEqual(truncated.map(\.kind), [.truncated])
        XCTAssertTrue(truncated.first?.message.contains("possible gap") == true)
    }

    func testTwoRotationsBetweenReadsLoseNoGeneration() throws {
        let path = dir.appendingPathComponent("proxy.log").path
        FileManager.default.createFile(atPath: path, contents: Data("a1\n".utf8))
        let tailer = FileTailer(path: path, fromStart: true)
        XCTAssertEqual(text(tailer), "a1\n")
        try append(path, "a2\n")
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        FileManager.default.createFile(atPath: path, contents: Data("b1\nb2\n".utf8))
        try FileManager.default.moveItem(atPath: path, toPath: path + ".2")
        FileManager.default.createFile(atPath: path, contents: Data("c1\n".utf8))
        XCTAssertEqual(text(tailer), "a2\nb1\nb2\nc1\n")
    }

    func testDeletedThenRecreatedFileIsReadFromItsStart() throws {
        let path = dir.appendingPathComponent("proxy.log").path
        FileManager.default.createFile(atPath: path, contents: Data("old\n".utf8))
        let tailer = FileTailer(path: path, fromStart: true)
        XCTAssertEqual(text(tailer), "old\n")
        try FileManager.default.removeItem(atPath: path)
        XCTAssertEqual(text(tailer), "")
        FileManager.default.createFile(atPath: path, contents: Data("new one\nnew two\n".utf8))
        XCTAssertEqual(text(tailer), "new one\nnew two\n")
    }

    func testAPartialLineWaitsForItsNewlineAndHugeLinesStayBounded() throws {
        let path = dir.appendingPathComponent("proxy.log").path
        FileManager.default.createFile(atPath: path, contents: Data())
        let tailer = FileTailer(path: path, fromStart: true)
        tailer.maxLineBytes = 1000
        try append(path, "half a ")
        XCTAssertEqual(text(tailer), "")
        // Longer than a read: the part held between reads is what must stay bounded.
        try append(path, "line\n" + String(repeating: "x", count: 200_000) + "\nafter\n")
        let lines = text(tailer).split(separator: "\n")
        XCTAssertEqual(lines.map(\.count), [11, 1000, 5])
    }

    func testRestoringACheckpointResumesAtTheNextLineOfTheSameFile() throws {
        let path = dir.appendingPathComponent("proxy.log").path
        FileManager.default.createFile(atPath: path, contents: Data("1\n2\n3\n".utf8))
        let first = FileTailer(path: path, fromStart: true)
        let (read, checkpoint) = collect(first)
        XCTAssertEqual(read, "1\n2\n3\n")
        try append(path, "4\n5\n")
        let second = FileTailer(path: path, fromStart: false)
        second.restore(try XCTUnwrap(checkpoint))
        XCTAssertEqual(text(second), "4\n5\n", "neither repeated nor skipped, whatever fromStart says")
        XCTAssertEqual(second.takeEvents().map(\.kind), [.resumed])
    }

    func testRestoringAfterARotationWhileStoppedFinishesTheOldFileFirst() throws {
        let path = dir.appendingPathComponent("proxy.log").path
        FileManager.default.createFile(atPath: path, contents: Data("1\n2\n".utf8))
        let checkpoint = try XCTUnwrap(collect(FileTailer(path: path, fromStart: true)).checkpoint)
        try append(path, "3\n")
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        FileManager.default.createFile(atPath: path, contents: Data("4\n".utf8))
        let tailer = FileTailer(path: path)
        tailer.restore(checkpoint)
        var all = text(tailer)
        all += text(tailer)
        XCTAssertEqual(all, "3\n4\n")
    }

    func testACheckpointOfAReplacedFileIsNotAppliedToTheNewOne() throws {
        // Same path, different content and (usually) a reused or new inode: never skip into it.
        let path = dir.appendingPathComponent("proxy.log").path
        FileManager.default.createFile(atPath: path, contents: Data("aaaaaaaaaa\nbbbbbbbbbb\n".utf8))
        let checkpoint = try XCTUnwrap(collect(FileTailer(path: path, fromStart: true)).checkpoint)
        try Data("new first line\nnew second line\n".utf8).write(to: URL(fileURLWithPath: path))
        let tailer = FileTailer(path: path)
        tailer.restore(checkpoint)
        XCTAssertEqual(text(tailer), "new first line\nnew second line\n")
        XCTAssertEqual(tailer.takeEvents().map(\.kind), [.gap])
    }

    func testCRIPartialLinesAreJoinedAndCarryTheirStream() throws {
        let path = dir.appendingPathComponent("0.log").path
        let cri = [
            "2024-05-01T12:00:00.000000001Z stderr P litellm.exceptions.AuthenticationError: ",
            "2024-05-01T12:00:00.000000002Z stderr F AzureException - 401 Access denied",
            "2024-05-01T12:00:01.000000000Z stdout F INFO:     127.0.0.1:5000 - \"GET /health HTTP/1.1\" 200 OK",
        ].joined(separator: "\n") + "\n"
        FileManager.default.createFile(atPath: path, contents: Data(cri.utf8))
        let tailer = FileTailer(path: path, fromStart: true, format: .cri)
        var lines: [(String, EntryMetadata?)] = []
        _ = tailer.read(maxLines: 100) { line, _, metadata in lines.append((String(decoding: line, as: UTF8.self), metadata)) }
        XCTAssertEqual(lines.map(\.0), ["litellm.exceptions.AuthenticationError: AzureException - 401 Access denied",
                                         "INFO:     127.0.0.1:5000 - \"GET /health HTTP/1.1\" 200 OK"])
        XCTAssertEqual(lines.first?.1?.attributes["stream"], "stderr")
        XCTAssertEqual(lines.first?.1?.timestamp, "2024-05-01T12:00:00.000000002Z")
    }

    func testFileReaderFramesWholeFilesIncludingAnUnterminatedLastLine() throws {
        let path = dir.appendingPathComponent("scan.log").path
        let text = "10:00:00 - LiteLLM Proxy:ERROR: a.py:1 - boom\nTraceback (most recent call last):\n  File \"x.py\", line 1, in f\nValueError: x\nINFO:     done"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        var records: [LogRecord] = []
        let stats = try FileReader.frame(path: path) { records.append($0) }
        XCTAssertEqual(stats.lines, 5)
        XCTAssertEqual(records.map(\.line), [1, 5])
        XCTAssertEqual(records.last?.string, "INFO:     done")
        XCTAssertThrowsError(try FileReader.frame(path: path + ".missing") { _ in })
    }

    func testRuleDirectoryFindsTheShippedCatalogueFromTheSourceTree() throws {
        let (specs, ruleSet) = try RuleDirectory.load([Repository.path("Rules")])
        XCTAssertEqual(specs.count, ruleSet.rules.count)
        XCTAssertThrowsError(try RuleDirectory.load([dir.appendingPathComponent("nope").path]))
    }
}
