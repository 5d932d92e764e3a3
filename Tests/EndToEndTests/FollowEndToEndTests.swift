import Foundation
import LogwatchIO
import TestSupport
import XCTest

/// `--follow` as an operator runs it, against `tools/logwriter.py` writing thousands of lines a
/// second with sequence numbers, so lost and repeated records are counted, not guessed.
final class FollowEndToEndTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try Scratch.directory("lw-follow")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    final class Follower {
        let process = Process()
        let stdout = Collected()
        let stderr = Collected()

        init(_ arguments: [String]) throws {
            process.executableURL = EndToEndTests.binary
            process.arguments = arguments
            var environment = ProcessInfo.processInfo.environment
            environment["NO_COLOR"] = "1"
            process.environment = environment
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            stdout.drain(out.fileHandleForReading)
            stderr.drain(err.fileHandleForReading)
        }

        /// Stops with SIGTERM (a clean stop) or SIGKILL; returns the exit status.
        @discardableResult
        func stop(kill: Bool = false) -> Int32 {
            if kill { Foundation.kill(process.processIdentifier, SIGKILL) } else { process.terminate() }
            process.waitUntilExit()
            // Both streams read to their end: the last bytes are in.
            stdout.waitForEnd()
            stderr.waitForEnd()
            return process.terminationStatus
        }
    }

    static let probeLine = "12:00:00 - LiteLLM Proxy:ERROR: router.py:1 - litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached for gpt-4o seq=probe. Received Model Group=gpt-4o\n"

    func appendLine(_ path: String, _ line: String) {
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        handle.seekToEndOfFile()
        handle.write(Data(line.utf8))
        try? handle.close()
    }

    /// Ready once a probe line written after start comes back (rule compilation takes a moment).
    func waitUntilFollowing(_ follower: Follower, _ path: String) {
        let deadline = Date().addingTimeInterval(120)
        while !follower.stdout.text.contains("seq=probe"), Date() < deadline {
            appendLine(path, Self.probeLine)
            usleep(300_000)
        }
        XCTAssertTrue(follower.stdout.text.contains("seq=probe"), "the follower never became ready: \(follower.stderr.text)")
    }

    func startWriter(_ path: String, _ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", EndToEndTests.repository.appendingPathComponent("tools/logwriter.py").path, path] + arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        return (process, out)
    }

    @discardableResult
    func write(_ path: String, _ arguments: [String]) throws -> [String: Any] {
        let (process, out) = try startWriter(path, arguments)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// How often each error sequence number was printed.
    func sequences(_ output: String) -> [Int: Int] {
        var seen: [Int: Int] = [:]
        for line in output.split(separator: "\n") {
            guard let range = line.firstRange(of: "seq="), line.hasPrefix("{") else { continue }
            let digits = line[range.upperBound...].prefix { $0.isNumber }
            if let seq = Int(digits) { seen[seq, default: 0] += 1 }
        }
        return seen
    }

    func waitFor(_ follower: Follower, count: Int, seconds: Double = 240) {
        let deadline = Date().addingTimeInterval(seconds)
        while sequences(follower.stdout.text).count < count, Date() < deadline { usleep(200_000) }
    }

    func testFortyRenameRotationsAtFourThousandLinesASecondLoseAndRepeatNothing() throws {
        let path = dir.appendingPathComponent("proxy.log").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("INFO:     an old line before start\n".utf8))
        let follower = try Follower(["--follow", path, "--json"])
        waitUntilFollowing(follower, path)
        let summary = try write(path, ["--lines", "20000", "--rate", "4000", "--rotate-every", "500", "--error-every", "10"])
        XCTAssertEqual(summary["rotations"] as? Int, 40)
        waitFor(follower, count: 2000)
        XCTAssertEqual(follower.stop(), 0, "SIGTERM is a clean stop")
        let seen = sequences(follower.stdout.text)
        let expected = Set(stride(from: 0, to: 20000, by: 10))
        XCTAssertEqual(expected.subtracting(seen.keys).count, 0, "lost: \(expected.subtracting(seen.keys).sorted().prefix(10))")
        XCTAssertEqual(Set(seen.keys).subtracting(expected).count, 0, "records that were never written")
        XCTAssertEqual(seen.values.filter { $0 != 1 }.count, 0, "repeated records")
        XCTAssertEqual(follower.stdout.text.components(separatedBy: "old line").count, 1, "following starts at the end")
    }

    func testCopytruncateRotationsRepeatNothingAndReportEveryPossibleGap() throws {
        let path = dir.appendingPathComponent("proxy.log").path
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        let follower = try Follower(["--follow", path, "--json"])
        waitUntilFollowing(follower, path)
        try write(path, ["--lines", "10000", "--rate", "5000", "--rotate-every", "1000", "--mode", "copytruncate"])
        waitFor(follower, count: 1000, seconds: 5)
        follower.stop()
        let seen = sequences(follower.stdout.text)
        XCTAssertEqual(seen.values.filter { $0 != 1 }.count, 0, "repeated records")
        XCTAssertGreaterThan(seen.count, 100, "records arrive (the rest only in reported truncation windows)")
        let gaps = follower.stderr.text.components(separatedBy: "possible gap").count - 1
        XCTAssertGreaterThanOrEqual(gaps, 1, "truncation is reported: \(follower.stderr.text)")
        // Lines can only go missing at a truncation, and each truncation was reported.
        if seen.count < 1000 { XCTAssertGreaterThanOrEqual(gaps, 1) }
    }

    /// The issue's restart measure: SIGKILL mid-stream, start again on the same state directory,
    /// and every error appears; nothing before the saved position is printed again.
    func testSIGKILLThenRestartResumesAtTheCheckpointWithNothingLost() throws {
        let path = dir.appendingPathComponent("proxy.log").path
        let state = dir.appendingPathComponent("state").path
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        let arguments = ["--follow", path, "--json", "--state-dir", state]
        let first = try Follower(arguments)
        waitUntilFollowing(first, path)
        let (writer, _) = try startWriter(path, ["--lines", "20000", "--rate", "2000", "--rotate-every", "6000"])
        // Kill it mid-stream, between checkpoints, while lines keep coming.
        usleep(3_300_000)
        XCTAssertEqual(first.stop(kill: true), SIGKILL)
        let saved = try StateStore(directory: state).positions()["file:" + path]
        let savedLine = Int(saved?.split(separator: "\t").first ?? "") ?? 0
        XCTAssertGreaterThan(savedLine, 0, "a checkpoint was written while running")
        let second = try Follower(arguments)
        writer.waitUntilExit()
        let firstSeen = Set(sequences(first.stdout.text).keys)
        let deadline = Date().addingTimeInterval(240)
        while firstSeen.union(sequences(second.stdout.text).keys).count < 2000, Date() < deadline { usleep(200_000) }
        second.stop()
        let before = sequences(first.stdout.text), after = sequences(second.stdout.text)
        var union = before
        for (seq, count) in after { union[seq, default: 0] += count }
        let lost = Set(stride(from: 0, to: 20000, by: 10)).subtracting(union.keys)
        XCTAssertEqual(lost.count, 0, "lost across SIGKILL: \(lost.sorted().prefix(20))")
        XCTAssertTrue(second.stderr.text.contains("resum"), second.stderr.text)
        let repeated = union.values.filter { $0 > 1 }.count
        // Only what came after the last checkpoint (at most about a second of lines) is read twice.
        XCTAssertLessThan(repeated, 1000, "repeats beyond the checkpoint window")
        print("SIGKILL resume: \(before.count) errors before the kill, \(after.count) after the restart, \(repeated) printed twice (after the last checkpoint)")
        // Nothing before the checkpoint is processed again.
        for line in second.stdout.text.split(separator: "\n") where line.hasPrefix("{") && line.contains("\"source\":\"\(path)\"") {
            guard let range = line.firstRange(of: "\"line\":") else { continue }
            let number = Int(line[range.upperBound...].prefix { $0.isNumber }) ?? 0
            XCTAssertGreaterThan(number, savedLine, "a checkpointed record was processed again")
        }
    }

    func testDockerJSONFileLogsAreFoundByContainerNameAndUnwrapped() throws {
        let id = String(repeating: "ab12", count: 16)
        let containerDir = dir.appendingPathComponent("docker/containers/\(id)")
        try FileManager.default.createDirectory(at: containerDir, withIntermediateDirectories: true)
        try Data(#"{"ID":"\#(id)","Name":"/litellm","Config":{"Image":"ghcr.io/berriai/litellm"}}"#.utf8)
            .write(to: containerDir.appendingPathComponent("config.v2.json"))
        let log = containerDir.appendingPathComponent("\(id)-json.log").path
        _ = FileManager.default.createFile(atPath: log, contents: Data())
        let process = Process()
        process.executableURL = EndToEndTests.binary
        process.arguments = ["--docker", "litellm", "--json", "--from-start"]
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKER_ROOT"] = dir.appendingPathComponent("docker").path
        process.environment = environment
        let out = Pipe()
        let collected = Collected()
        process.standardOutput = out
        let line = #"{"log":"12:00:00 - LiteLLM Proxy:ERROR: router.py:1 - litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached for gpt-4o seq=7. Received Model Group=gpt-4o\n","stream":"stderr","time":"2024-05-01T12:00:00.1Z"}"# + "\n"
        try Data(line.utf8).write(to: URL(fileURLWithPath: log))
        try process.run()
        collected.drain(out.fileHandleForReading)
        let deadline = Date().addingTimeInterval(30)
        while !collected.text.contains("seq=7"), Date() < deadline { usleep(100_000) }
        process.terminate()
        process.waitUntilExit()
        collected.waitForEnd()
        XCTAssertTrue(collected.text.contains("\"class\":\"quota\""), collected.text)
        XCTAssertFalse(collected.text.contains("\\\"stream\\\""), "the Docker wrapper is removed")
    }

    func testAnUnknownDockerContainerIsAClearErrorWithExitTwo() throws {
        let result = try ProcessRunner.run(EndToEndTests.binary, ["--docker", "nope"], environment: ["DOCKER_ROOT": dir.path])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("no Docker container named"), result.stderr)
    }

    func testStdinIsReadToItsEndAndEveryErrorPrintedOnce() throws {
        let lines = (0..<500).map { $0 % 5 == 0 ? Self.probeLine.replacingOccurrences(of: "seq=probe", with: "seq=\($0)")
            : "INFO:     10.0.0.1:5000 - \"POST /chat/completions HTTP/1.1\" 200 OK seq=\($0)\n" }.joined()
        let result = try EndToEndTests.run(["--stdin", "--json"], stdin: lines)
        XCTAssertEqual(result.status, 0, result.stderr)
        let seen = sequences(result.stdout)
        XCTAssertEqual(Set(seen.keys), Set(stride(from: 0, to: 500, by: 5)))
        XCTAssertTrue(seen.values.allSatisfy { $0 == 1 })
    }

    /// `journalctl -o json | logwatch --stdin --format journal-json`, with journalctl's real output
    /// of a journal made by systemd-journal-remote: the unit's records, tracebacks joined.
    func testJournalJSONOnStdinGivesTheSameMatchesAsTheJournalItself() throws {
        let journal = dir.appendingPathComponent("journal")
        try FileManager.default.createDirectory(at: journal, withIntermediateDirectories: true)
        let export = try Data(contentsOf: EndToEndTests.repository.appendingPathComponent("Samples/litellm-journal.export"))
        try ProcessRunner.journalRemote(export, output: journal.appendingPathComponent("sample.journal"))
        let json = try ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/env"),
                                         ["journalctl", "--directory", journal.path, "-u", "litellm.service", "-o", "json", "--no-pager"]).stdout
        XCTAssertGreaterThan(json.split(separator: "\n").count, 50)
        let piped = try EndToEndTests.run(["--stdin", "--format", "journal-json", "--json"], stdin: json)
        XCTAssertEqual(piped.status, 0, piped.stderr)
        let direct = try EndToEndTests.run(["scan", "--journal-dir", journal.path, "--unit", "litellm.service", "--json"])
        func rules(_ text: String) -> [String] {
            text.split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["rule"] as? String
            }
        }
        XCTAssertFalse(rules(direct.stdout).isEmpty)
        XCTAssertEqual(rules(piped.stdout), rules(direct.stdout))
    }
}
