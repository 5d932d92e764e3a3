import Foundation
import LogwatchIO
import TestSupport
import XCTest

/// Issue 15 on the built binary: compressed rotations through `scan`, every series of
/// docs/metrics.md on a running daemon, READY=1 only after the sources are positioned, and a
/// SIGTERM while a slow receiver answers.
final class CompressedScanEndToEndTests: XCTestCase {
    /// `scan --json` records without their `source` (the file's name differs, nothing else may).
    func records(_ path: String) throws -> [NSDictionary] {
        let run = try EndToEndTests.run(["scan", "--json", path])
        XCTAssertEqual(run.status, 0, run.stderr)
        return run.stdout.split(separator: "\n").map { line in
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
            return object.filter { $0.key != "source" } as NSDictionary
        }
    }

    func testScanOfEachCompressedCopyGivesTheSameRecordsAsTheSample() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lw-compressed-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for sample in ["Samples/litellm-proxy.log", "Samples/litellm-proxy-json.log", "Samples/litellm-docker.log"] {
            let path = Repository.path(sample)
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let plain = try records(path)
            XCTAssertGreaterThan(plain.count, 0, sample)
            for (name, tool) in [("gzip", "gzip -c"), ("bzip2", "bzip2 -c"), ("xz", "xz -c"), ("zstd", "zstd -q -c")] {
                // logrotate's name for a compressed generation; the magic bytes decide, not the name.
                let copy = "\(directory)/\(name)-\((sample as NSString).lastPathComponent).1"
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", "\(tool) '\(path)' > '\(copy)'"]
                try process.run()
                process.waitUntilExit()
                XCTAssertEqual(process.terminationStatus, 0)
                XCTAssertEqual(try records(copy), plain, "\(name) copy of \(sample)")
            }
        }
    }

    func testACompressedFileThatCannotBeDecodedIsAnErrorNotZeroMatched() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lw-bad-\(getpid()).log.gz").path
        try Data([0x1F, 0x8B, 0x08, 0x00] + Array("not really gzip at all".utf8)).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try EndToEndTests.run(["scan", path])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains(path) && run.stderr.contains("gzip"), run.stderr)
        XCTAssertFalse(run.stdout.contains("matched"), "no summary for a scan that read nothing: \(run.stdout)")
    }
}

extension DaemonEndToEndTests {
    /// docs/metrics.md's table: name, type and label names of every documented series.
    func documentedMetrics() throws -> [(name: String, type: String, labels: Set<String>)] {
        let doc = try String(contentsOf: Repository.url("docs/metrics.md"), encoding: .utf8)
        return doc.split(separator: "\n").compactMap { line -> (String, String, Set<String>)? in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 5, cells[1].hasPrefix("`logwatch_") else { return nil }
            let labels = cells[3].split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " `")) }
                .filter { !$0.isEmpty && $0 != "—" }
            return (cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`")), cells[2], Set(labels))
        }
    }

    /// Samples of a Prometheus exposition: (name, labels, value).
    func samples(_ exposition: String) -> [(name: String, labels: [String: String], value: Double)] {
        exposition.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { return nil }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else { return (String(series), [:], value) }
            var labels: [String: String] = [:]
            for pair in series[series.index(after: brace)..<series.index(before: series.endIndex)].split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { labels[String(parts[0])] = String(parts[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            }
            return (String(series[..<brace]), labels, value)
        }
    }

    /// Every series docs/metrics.md documents exists on a running daemon with the documented
    /// type and labels, and the ones this run exercises have moved.
    func testEverySeriesInTheMetricsDocExistsWithItsLabelsAndMoves() throws {
        let good = try startReceiver()
        let refusing = try startReceiver(["--fail", "1000", "--fail-status", "400"])
        let port = freePort()
        let log = path("proxy.log")
        let configPath = path("config.yaml")
        let config = """
            state_dir: \(path("state"))
            http:
              listen: 127.0.0.1:\(port)
            sources:
              - { type: file, paths: [\(log)], from: start }
            policy: { group_wait: 0s, group_interval: 1s, resolve_after: 10m }
            sinks:
              - { name: console, type: stdout }
              - { name: hook, type: generic, url: "\(good.url)" }
              - { name: refused, type: generic, url: "\(refusing.url)" }

            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        append(log, Self.authLine)
        // A record whose line is over the 1 MiB line limit: cut, and counted; then a line that ends it.
        append(log, "12:00:08 - LiteLLM Proxy:INFO: x.py:1 - " + String(repeating: "z", count: (1 << 20) + 100) + "\n")
        append(log, "12:00:09 - LiteLLM Proxy:INFO: x.py:2 - the last line, which starts a record of its own\n")
        let (process, stdout, stderr) = try startLogwatch(["run", "--config", configPath])
        let metricsURL = "http://127.0.0.1:\(port)/metrics"
        XCTAssertTrue(waitUntil { get("http://127.0.0.1:\(port)/readyz").status == 200 }, "never ready: \(stderr.text)")
        kill(process.processIdentifier, SIGHUP)

        func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            samples(get(metricsURL).body).first { $0.name == name && $0.labels == labels }?.value
        }
        // What this run makes move; each waited for (the daemon is asynchronous), never slept for.
        let key = "file:" + log
        let moves: [(String, [String: String], (Double) -> Bool)] = [
            ("logwatch_records_read_total", ["source": key], { $0 >= 2 }),
            ("logwatch_incidents_open", [:], { $0 >= 1 }),
            ("logwatch_notices_sent_total", ["sink": "hook"], { $0 >= 1 }),
            ("logwatch_notices_sent_total", ["sink": "console"], { $0 >= 1 }),
            ("logwatch_notices_failed_total", ["sink": "refused"], { $0 >= 1 }),
            ("logwatch_notices_dropped_total", ["sink": "refused"], { $0 >= 1 }),
            ("logwatch_lines_truncated_total", [:], { $0 >= 1 }),
            ("logwatch_rules_loaded", [:], { $0 >= 1 }),
            ("logwatch_config_reloads_total", ["result": "success"], { $0 == 1 }),
            ("logwatch_source_lag_bytes", ["source": key], { $0 == 0 }),
            ("logwatch_outbox_depth", [:], { $0 == 0 }),
        ]
        // build_info's labels are the build's version and the active rule count: whatever they
        // are, there is one series and it is 1.
        XCTAssertTrue(waitUntil(60) {
            let info = samples(get(metricsURL).body).filter { $0.name == "logwatch_build_info" }
            return info.count == 1 && info[0].value == 1 && !(info[0].labels["version"] ?? "").isEmpty
                && Int(info[0].labels["rules"] ?? "") ?? 0 > 0
        }, "logwatch_build_info: \(stderr.text)")
        for (name, labels, moved) in moves {
            XCTAssertTrue(waitUntil(60) { value(name, labels).map(moved) ?? false },
                          "\(name)\(labels) = \(value(name, labels).map { "\($0)" } ?? "absent")\n\(stderr.text)")
        }
        XCTAssertTrue(waitUntil { (samples(get(metricsURL).body).first { $0.name == "logwatch_records_matched_total" }?.value ?? 0) >= 1 })

        let exposition = get(metricsURL).body
        let documented = try documentedMetrics()
        XCTAssertGreaterThanOrEqual(documented.count, 17, "the table in docs/metrics.md was read")
        for metric in documented {
            XCTAssertTrue(exposition.contains("# TYPE \(metric.name) \(metric.type)"), "\(metric.name) is a \(metric.type)")
            let series = samples(exposition).filter { $0.name == metric.name }
            XCTAssertFalse(series.isEmpty, "\(metric.name) exists")
            for sample in series { XCTAssertEqual(Set(sample.labels.keys), metric.labels, "\(metric.name)'s labels") }
        }
        // Every documented series is either moved above or declared at 0 (doc: "created at 0").
        // The console's series (silences, refused writes) exist with their labels (checked above);
        // what makes them move is the console's own tests'.
        let checked = Set(moves.map(\.0) + ["logwatch_build_info", "logwatch_records_matched_total", "logwatch_notices_suppressed_total",
                                           "logwatch_records_skipped_total", "logwatch_notices_silenced_total",
                                           "logwatch_silences_active", "logwatch_http_writes_refused_total"])
        XCTAssertEqual(Set(documented.map(\.name)), checked, "a documented series this test does not check")
        XCTAssertEqual(samples(exposition).first { $0.name == "logwatch_notices_suppressed_total" && $0.labels == ["sink": "hook"] }?.value, 0)
        XCTAssertEqual(samples(exposition).first { $0.name == "logwatch_records_skipped_total" && $0.labels == ["reason": "possible-gap"] }?.value, 0)
        XCTAssertTrue(stdout.text.contains("Azure") || stdout.text.contains("azure"), stdout.text)
        process.terminate()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, stderr.text)
    }

    /// SIGTERM while a slow receiver answers: the request in flight finishes, the notices the
    /// last checkpoints queued are still delivered within the stop deadline (before, they were
    /// only sent after the next start), never two at once, none twice; the outbox is empty after.
    func testSIGTERMWithASlowReceiverLosesNothingAndSendsNothingTwice() throws {
        let receiver = try startReceiver(["--delay", "1"])
        let port = freePort()
        let configPath = path("config.yaml")
        try """
            state_dir: \(path("state"))
            http: { listen: "127.0.0.1:\(port)" }
            sources:
              - { type: file, paths: [\(path("proxy.log"))], from: start }
            policy: { group_wait: 0s, group_interval: 1s, resolve_after: 1h }
            sinks:
              - { name: hook, type: generic, url_env: LOGWATCH_TEST_HOOK, max_per_minute: 100 }

            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let later = ["12:00:01 - LiteLLM Proxy:ERROR: router.py:1 - litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached for gpt-4o-mini. Received Model Group=gpt-4o-mini\n",
                     "12:00:02 - LiteLLM Proxy:ERROR: proxy_server.py:1 - litellm.NotFoundError: NotFoundError: OpenAIException - The model `gpt-9` does not exist. Received Model Group=gpt-9\n"]
        append(path("proxy.log"), Self.authLine)
        let (process, _, stderr) = try startLogwatch(["run", "--config", configPath], hook: receiver.url)
        // The first request arrives and is held for 1 s; more incidents queue behind it.
        XCTAssertTrue(waitUntil { !received(receiver.out).isEmpty }, "the first notice never arrived: \(stderr.text)")
        append(path("proxy.log"), later.joined())
        let depth = { self.samples(self.get("http://127.0.0.1:\(port)/metrics").body).first { $0.name == "logwatch_outbox_depth" }?.value ?? 0 }
        XCTAssertTrue(waitUntil { depth() >= 2 }, "the later notices were never queued: \(stderr.text)")
        process.terminate()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, stderr.text)
        let delivered = received(receiver.out)
        XCTAssertEqual(try StateStore(directory: path("state")).depth(), 0, "nothing left in the outbox: \(stderr.text)")
        XCTAssertGreaterThanOrEqual(delivered.count, 2, "the queued notices were delivered before the exit")
        XCTAssertEqual(Set(delivered.compactMap { $0["body"] as? String }).count, delivered.count, "nothing sent twice")
        XCTAssertEqual(delivered.compactMap { $0["in_flight"] as? Int }.max(), 1, "never two requests at once")
    }

    /// READY=1 on the real notify socket, then a line: it is read (files are positioned before
    /// READY=1, so nothing written after it can fall into a gap).
    func testALineWrittenRightAfterReadyIsRead() throws {
        let receiver = try startReceiver()
        let socketPath = path("notify.sock")
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in socketPath.utf8.enumerated() where i < raw.count - 1 { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(bound, 0)
        var timeout = timeval(tv_sec: 120, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let configPath = path("config.yaml")
        try runConfig().replacingOccurrences(of: "from: start", with: "from: end")
            .replacingOccurrences(of: "group_wait: 1s", with: "group_wait: 0s")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        append(path("proxy.log"), "an old line, before the start\n")
        let started = try startLogwatch(["run", "--config", configPath], hook: receiver.url,
                                        environment: ["NOTIFY_SOCKET": socketPath])
        var ready = false
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !ready {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { break }
            ready = String(decoding: buffer[0..<n], as: UTF8.self).contains("READY=1")
        }
        XCTAssertTrue(ready, "no READY=1: \(started.2.text)")
        append(path("proxy.log"), Self.authLine)
        XCTAssertTrue(waitUntil { received(receiver.out).contains { ($0["body"] as? String ?? "").contains("azure") } },
                      "the line written right after READY=1 was not read: \(started.2.text)")
        started.0.terminate()
        started.0.waitUntilExit()
    }
}

