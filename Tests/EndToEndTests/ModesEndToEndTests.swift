import Foundation
import TestSupport
import XCTest

/// One incident desk for every mode: `--follow`, `run` and `test` over the same log must find
/// the same incidents (the desk's correlation applies in each), and `scan`'s filters and terminal
/// options work as the CLI contract says.
final class ModesEndToEndTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("lw-modes-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    /// The rule id of every incident head line (`[class] title  (rule-id, …)`), sorted.
    static func incidentRules(_ output: String) -> [String] {
        output.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("["), let open = line.range(of: "  (", options: .backwards) else { return nil }
            return line[open.upperBound...].split(separator: ",").first.map(String.init)
        }.sorted()
    }

    final class Running {
        let process = Process()
        let stdout = Collected(), stderr = Collected()

        init(_ arguments: [String]) throws {
            process.executableURL = EndToEndTests.binary
            process.arguments = arguments
            var environment = ProcessInfo.processInfo.environment
            environment["NO_COLOR"] = "1"
            process.environment = environment
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            out.fileHandleForReading.readabilityHandler = { [stdout] in stdout.append($0.availableData) }
            err.fileHandleForReading.readabilityHandler = { [stderr] in stderr.append($0.availableData) }
            try process.run()
        }

        /// Waits until stdout shows `count` incident head lines (or two minutes pass).
        func waitForIncidents(_ count: Int) -> Bool {
            let deadline = Date().addingTimeInterval(120)
            while ModesEndToEndTests.incidentRules(stdout.text).count < count, process.isRunning, Date() < deadline { usleep(100_000) }
            return ModesEndToEndTests.incidentRules(stdout.text).count >= count
        }

        func stop(_ signal: Int32) -> Int32 {
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            usleep(200_000) // the readability handlers take the last bytes
            return process.terminationStatus
        }
    }

    func testFollowRunAndTestFindTheSameIncidentsInTheSameLog() throws {
        let log = dir.appendingPathComponent("proxy.log").path
        try FileManager.default.copyItem(atPath: EndToEndTests.repository.appendingPathComponent("Samples/litellm-proxy.log").path,
                                         toPath: log)

        let test = try EndToEndTests.run(["test", log, "--clock", "1764000000"])
        XCTAssertEqual(test.status, 0, test.stderr)
        let section = test.stdout.components(separatedBy: "Incidents").dropFirst().first?.components(separatedBy: "Notices a run")[0] ?? ""
        let expected = section.split(separator: "\n").dropFirst().compactMap { line -> String? in
            let words = line.split(separator: " ")
            return words.count >= 3 && Int(words[0]) != nil ? String(words[2]) : nil
        }.sorted()
        XCTAssertEqual(expected.count, 9, test.stdout)

        let follow = try Running(["--follow", log, "--from-start"])
        XCTAssertTrue(follow.waitForIncidents(expected.count), follow.stderr.text)
        XCTAssertEqual(follow.stop(SIGINT), 0)
        XCTAssertTrue(follow.stderr.text.contains("logwatch: watching \(log) with"), follow.stderr.text)
        let printed = follow.stdout.text.components(separatedBy: "Summary:")
        XCTAssertEqual(printed.count, 2, "one summary at Ctrl-C: \(follow.stdout.text)")
        XCTAssertEqual(Self.incidentRules(printed[0]), expected)
        XCTAssertTrue(printed[1].contains("in \(expected.count) incidents"), printed[1])

        let config = dir.appendingPathComponent("config.yaml").path
        try """
        state_dir: \(dir.appendingPathComponent("state").path)
        http: { listen: "off" }
        sources:
          - { type: file, paths: [\(log)], from: start }
        policy: { group_wait: 1s, group_interval: 1m, resolve_after: 10m }
        sinks:
          - { name: console, type: stdout }

        """.write(toFile: config, atomically: true, encoding: .utf8)
        let run = try Running(["run", "--config", config])
        XCTAssertTrue(run.waitForIncidents(expected.count), run.stderr.text)
        XCTAssertEqual(run.stop(SIGTERM), 0)
        XCTAssertEqual(Self.incidentRules(run.stdout.text), expected)
    }

    func testScanFiltersAndSummaryOnly() throws {
        let all = try EndToEndTests.run(["scan", "Samples/litellm-proxy.log"])
        XCTAssertEqual(all.status, 0, all.stderr)
        let auth = try EndToEndTests.run(["scan", "Samples/litellm-proxy.log", "--class", "auth"])
        XCTAssertEqual(Set(Self.incidentRules(auth.stdout)), ["azure-auth-401", "proxy-virtual-key-not-found"])
        XCTAssertFalse(auth.stdout.contains("  quota "), auth.stdout)
        let severe = try EndToEndTests.run(["scan", "Samples/litellm-proxy.log", "--min-severity", "critical"])
        XCTAssertLessThan(Self.incidentRules(severe.stdout).count, Self.incidentRules(all.stdout).count)
        let summary = try EndToEndTests.run(["scan", "Samples/litellm-proxy.log", "--summary"])
        XCTAssertEqual(Self.incidentRules(summary.stdout), [])
        XCTAssertTrue(summary.stdout.hasPrefix("Summary: 81 lines"), summary.stdout)
        XCTAssertEqual(try EndToEndTests.run(["scan", "Samples/litellm-proxy.log", "--json", "--summary"]).status, 2)
        XCTAssertEqual(try EndToEndTests.run(["scan", "Samples/litellm-proxy.log", "--class", "nope"]).status, 2)
        // COLUMNS fits a pipe's lines; -v gives the full entry.
        let narrow = try EndToEndTests.run(["scan", "Samples/litellm-proxy.log", "-v"], environment: ["COLUMNS": "80"])
        XCTAssertTrue(narrow.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 })
        XCTAssertTrue(narrow.stdout.contains("likely causes:"))
        XCTAssertFalse(all.stdout.contains("likely causes:"))
    }
}
