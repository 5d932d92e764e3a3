import Foundation
import XCTest
@testable import LogwatchIO
import LogwatchCore

/// Real files, real renames and truncations.
final class FileFollowerTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("lw-io-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
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

    func collect(_ follower: FileFollower) -> String {
        var data = Data()
        follower.poll { data.append(contentsOf: $0) }
        return String(decoding: data, as: UTF8.self)
    }

    func testWaitsForAMissingFileThenFollowsRenameRotationAndTruncation() throws {
        let path = dir.appendingPathComponent("proxy.log").path
        let follower = FileFollower(path: path, fromStart: false)
        XCTAssertEqual(collect(follower), "", "a missing file is waited for")
        FileManager.default.createFile(atPath: path, contents: Data("before\n".utf8))
        XCTAssertEqual(collect(follower), "", "following starts at the end")
        try append(path, "one\n")
        XCTAssertEqual(collect(follower), "one\n")
        // Rename rotation: the old file's tail is drained, then the new file is read from its start.
        try append(path, "two\n")
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        FileManager.default.createFile(atPath: path, contents: Data("three\n".utf8))
        XCTAssertEqual(collect(follower), "two\nthree\n")
        XCTAssertEqual(follower.takeEvents().count, 1)
        // copytruncate: the shrink is noticed and reading restarts at 0.
        try append(path, "four and more text\n")
        XCTAssertEqual(collect(follower), "four and more text\n")
        try Data("five\n".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(collect(follower), "five\n")
        XCTAssertTrue(follower.takeEvents().first?.contains("truncated") == true)
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
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let (specs, ruleSet) = try RuleDirectory.load([repository.appendingPathComponent("Rules").path])
        XCTAssertEqual(specs.count, ruleSet.rules.count)
        XCTAssertThrowsError(try RuleDirectory.load([dir.appendingPathComponent("nope").path]))
    }
}
