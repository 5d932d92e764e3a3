import Foundation
import LogwatchIO
import TestSupport
import XCTest

/// `logwatch run` and `--webhook` as operators run them: a real config file, a real webhook
/// receiver on 127.0.0.1 (tools/receiver.py), real signals, real /metrics.
final class DaemonEndToEndTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try Scratch.directory("lw-daemon")
    }

    override func tearDownWithError() throws {
        for process in started where process.isRunning { process.terminate(); process.waitUntilExit() }
        try? FileManager.default.removeItem(at: dir)
    }

    var started: [Process] = []

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// Starts tools/receiver.py; returns its URL and the file it appends requests to.
    func startReceiver(_ arguments: [String] = []) throws -> (url: String, out: String) {
        let portFile = path("receiver-\(started.count).port"), out = path("receiver-\(started.count).ndjson")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", EndToEndTests.repository.appendingPathComponent("tools/receiver.py").path,
                             "--port-file", portFile, "--out", out] + arguments
        try process.run()
        started.append(process)
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: portFile), Date() < deadline { usleep(50_000) }
        let port = try String(contentsOfFile: portFile, encoding: .utf8)
        return ("http://127.0.0.1:\(port)/hook", out)
    }

    func received(_ out: String) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: out, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func waitUntil(_ seconds: Double = 120, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition(), Date() < deadline { usleep(100_000) }
        return condition()
    }

    /// A port nothing listens on now (bound, read, released).
    func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// GET over loopback with curl: status and body.
    func get(_ url: String) -> (status: Int, body: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl", "-s", "-m", "5", "-w", "\n%{http_code}", url]
        let out = Pipe()
        process.standardOutput = out
        try? process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let cut = text.lastIndex(of: "\n") else { return (0, text) }
        return (Int(text[text.index(after: cut)...]) ?? 0, String(text[..<cut]))
    }

    static let authLine = "12:00:00 - LiteLLM Proxy:ERROR: proxy_server.py:1 - litellm.AuthenticationError: AzureException AuthenticationError - Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource. api_key=0123456789abcdef0123456789abcdef Received Model Group=gpt-4o\n"

    func append(_ file: String, _ text: String) {
        if !FileManager.default.fileExists(atPath: file) { _ = FileManager.default.createFile(atPath: file, contents: nil) }
        let handle = FileHandle(forWritingAtPath: file)!
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try? handle.close()
    }

    func config(port: Int, hook: String, rules: [String]) -> String {
        """
        state_dir: \(path("state"))
        http:
          listen: 127.0.0.1:\(port)
        rules:
          dirs: [\(rules.joined(separator: ", "))]
        sources:
          - type: file
            paths: [\(path("proxy.log"))]
            from: start
        policy:
          group_wait: 1s
          group_interval: 2s
          resolve_after: 10m
        sinks:
          - name: hook
            type: generic
            url_env: LOGWATCH_TEST_HOOK
            max_per_minute: 100
          - name: console
            type: stdout

        """
    }

    static let canaryRule = """
        id: test-canary
        class: runtime
        severity: error
        origin: proxy
        title: A canary rule added by a reload
        match:
          - 'CANARY-[0-9]+ failed'
        entry:
          summary: The test's canary rule matched, which proves the reloaded rule set is the one running.
          meaning: A rule that exists only in the reloaded configuration matched a record; before the reload nothing could.
          causes: ['The reload test wrote a canary line after SIGHUP with a new rule directory.']
          checks: ['Read /metrics for logwatch_config_reloads_total: a success means the new rules are active.']
          quick_fix: |
            Nothing to fix: this rule exists for the reload test.
          steps: ['Write the canary line.', 'Send SIGHUP.', 'Watch the notice arrive.']
          prevention: ['Run logwatch config check before every reload.', 'Keep local rules in their own directory.']
          references: ['https://docs.litellm.ai/docs/proxy/configs']
          faq:
            - q: Why a canary?
              a: It cannot match before the reload, so its notice proves the swap.
            - q: Does the reload lose incidents?
              a: No; the incident book is kept across reloads.
        examples:
          - text: 'CANARY-42 failed'
        counterexamples:
          - text: 'CANARY-42 passed'

        """

    /// The issue's test: run with a config, SIGHUP with a broken config (old one keeps
    /// running, error logged), SIGHUP with a good one (new rules active), read /metrics, SIGTERM
    /// (exit 0, checkpoint written).
    func testRunReloadsMetricsAndStopsCleanly() throws {
        let receiver = try startReceiver()
        let port = freePort()
        let shipped = EndToEndTests.repository.appendingPathComponent("Rules").path
        let local = path("local-rules")
        try FileManager.default.createDirectory(atPath: local + "/runtime", withIntermediateDirectories: true)
        let configPath = path("config.yaml")
        try config(port: port, hook: receiver.url, rules: [shipped]).write(toFile: configPath, atomically: true, encoding: .utf8)
        append(path("proxy.log"), Self.authLine)

        let (process, stdout, stderr) = try startLogwatch(["run", "--config", configPath], hook: receiver.url)

        XCTAssertTrue(waitUntil { get("http://127.0.0.1:\(port)/readyz").status == 200 }, "never ready: \(stderr.text)")
        XCTAssertTrue(waitUntil { received(receiver.out).contains { ($0["body"] as? String ?? "").contains("azure") } },
                      "no notice for the Azure 401: \(stderr.text)")
        XCTAssertTrue(waitUntil(20) { stdout.text.contains("Azure") }, "the stdout sink printed nothing: \(stdout.text)")

        // A broken config is rejected; the running one stays.
        try "sources: [\n  - type: nosuch\n".write(toFile: configPath, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        XCTAssertTrue(waitUntil(30) { stderr.text.contains("rejected") }, stderr.text)
        XCTAssertTrue(process.isRunning)
        XCTAssertTrue(get("http://127.0.0.1:\(port)/metrics").body.contains(#"logwatch_config_reloads_total{result="failure"} 1"#))

        // A good config with a new rule directory: the canary rule is active after SIGHUP.
        try Self.canaryRule.write(toFile: local + "/runtime/test-canary.yaml", atomically: true, encoding: .utf8)
        try config(port: port, hook: receiver.url, rules: [shipped, local]).write(toFile: configPath, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        XCTAssertTrue(waitUntil(60) { get("http://127.0.0.1:\(port)/metrics").body.contains(#"logwatch_config_reloads_total{result="success"} 1"#) },
                      stderr.text)
        append(path("proxy.log"), "12:00:05 - LiteLLM Proxy:ERROR: worker.py:9 - CANARY-7 failed\n")
        XCTAssertTrue(waitUntil { received(receiver.out).contains { ($0["body"] as? String ?? "").contains("test-canary") } },
                      "the reloaded rule never matched: \(stderr.text)")

        let metrics = get("http://127.0.0.1:\(port)/metrics").body
        XCTAssertTrue(metrics.contains(#"logwatch_records_matched_total{class="runtime",rule="test-canary"} 1"#), metrics)
        XCTAssertTrue(metrics.contains(#"logwatch_notices_sent_total{sink="hook"}"#), metrics)
        XCTAssertFalse(metrics.contains("0123456789abcdef0123456789abcdef"))

        process.terminate()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, stderr.text)
        let positions = try StateStore(directory: path("state")).positions()
        XCTAssertNotNil(positions["file:" + path("proxy.log")], "checkpoint written at stop")
        for request in received(receiver.out) {
            XCTAssertFalse((request["body"] as? String ?? "").contains("0123456789abcdef0123456789abcdef"), "a key leaked")
        }
        XCTAssertFalse(stderr.text.contains("0123456789abcdef0123456789abcdef") || stdout.text.contains("0123456789abcdef0123456789abcdef"))
    }

    /// The delivery issue's first "done when": a Block Kit message with class, fields, quick
    /// fix and entry reaches a receiver that first answers 503 twice; no secret leaks.
    func testFollowWithASlackWebhookSurvivesTwo503sAndLeaksNothing() throws {
        let receiver = try startReceiver(["--fail", "2", "--fail-status", "503"])
        let log = path("proxy.log")
        append(log, "")
        let (process, stdout, stderr) = try startLogwatch([
            "--follow", log, "--webhook", receiver.url, "--webhook-format", "slack", "--group-wait", "0.5",
            "--state-dir", path("state"), "--links-base-url", "https://runbooks.example.com/logwatch"])
        XCTAssertTrue(waitUntil {
            append(log, "")
            return stderr.text.contains("Started") || !process.isRunning
        }, stderr.text)
        usleep(500_000)
        append(log, Self.authLine)
        XCTAssertTrue(waitUntil { !received(receiver.out).isEmpty }, "nothing delivered: \(stderr.text)")
        process.terminate()
        process.waitUntilExit()
        let body = try XCTUnwrap(received(receiver.out).first?["body"] as? String)
        let message = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        XCTAssertNotNil(message["blocks"] as? [Any], "Block Kit")
        XCTAssertTrue(body.contains("*Class*\\nauth"), body)
        XCTAssertTrue(body.contains("provider"), "fields: \(body)")
        XCTAssertTrue(body.contains("Quick fix"), body)
        XCTAssertTrue(body.contains("https://runbooks.example.com/logwatch/auth/"), "entry link: \(body)")
        XCTAssertFalse(body.contains("0123456789abcdef0123456789abcdef"), "the key leaked")
        XCTAssertTrue(stdout.text.contains("Azure"), "the terminal shows the incident too")
    }

    /// Starts logwatch with arguments and the hook URL in LOGWATCH_TEST_HOOK; output collected.
    func startLogwatch(_ arguments: [String], hook: String? = nil) throws -> (Process, Collected, Collected) {
        let process = Process()
        process.executableURL = EndToEndTests.binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        if let hook { environment["LOGWATCH_TEST_HOOK"] = hook }
        environment["NO_COLOR"] = "1"
        process.environment = environment
        let stdout = Collected(), stderr = Collected()
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        out.fileHandleForReading.readabilityHandler = { stdout.append($0.availableData) }
        err.fileHandleForReading.readabilityHandler = { stderr.append($0.availableData) }
        try process.run()
        started.append(process)
        return (process, stdout, stderr)
    }

    func runConfig(hookSink: String = "generic", groupInterval: String = "2s") -> String {
        """
        state_dir: \(path("state"))
        http: { listen: "off" }
        sources:
          - { type: file, paths: [\(path("proxy.log"))], from: start }
        policy: { group_wait: 1s, group_interval: \(groupInterval), resolve_after: 10m }
        sinks:
          - { name: hook, type: \(hookSink), url_env: LOGWATCH_TEST_HOOK, max_per_minute: 100 }

        """
    }

    /// Notices in the receiver's file, decoded from the generic webhook schema.
    func notices(_ out: String) -> [[String: Any]] {
        received(out).compactMap { request in
            (request["body"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
    }

    /// The delivery issue's third "done when": 10,000 identical errors make one notice and a
    /// digest, not 10,000.
    func testABurstOfTenThousandIdenticalErrorsIsOneNoticeAndADigest() throws {
        let receiver = try startReceiver()
        let configPath = path("config.yaml")
        try runConfig().write(toFile: configPath, atomically: true, encoding: .utf8)
        append(path("proxy.log"), String(repeating: Self.authLine, count: 10_000))
        let (process, _, stderr) = try startLogwatch(["run", "--config", configPath], hook: receiver.url)
        func total() -> Int {
            notices(receiver.out).reduce(0) { sum, notice in
                sum + ((notice["incidents"] as? [[String: Any]]) ?? []).reduce(0) { $0 + ($1["new_count"] as? Int ?? 0) }
            }
        }
        // A firing notice carries the count so far; digests carry what came after.
        let kinds = { self.notices(receiver.out).compactMap { $0["kind"] as? String } }
        XCTAssertTrue(waitUntil { kinds().contains("firing") }, stderr.text)
        let firingCount = ((notices(receiver.out).first?["incidents"] as? [[String: Any]])?.first?["count"] as? Int) ?? 0
        if firingCount < 10_000 {
            XCTAssertTrue(waitUntil { kinds().contains("digest") }, "no digest: \(kinds())")
        }
        usleep(3_000_000)  // one more group_interval: nothing else may come
        process.terminate()
        process.waitUntilExit()
        let all = notices(receiver.out)
        XCTAssertLessThanOrEqual(all.count, 3, "a flood of notices: \(all.count)")
        XCTAssertEqual(Set(all.compactMap { $0["kind"] as? String }).subtracting(["firing", "digest"]), [])
        let lastCount = ((all.last?["incidents"] as? [[String: Any]])?.first?["count"] as? Int) ?? 0
        XCTAssertEqual(lastCount, 10_000, "the last notice counts every record")
        print("10,000 identical errors: \(all.count) notice(s): \(all.compactMap { $0["kind"] as? String }); new counts sum \(total())")
    }

    /// At-least-once across a crash: notices committed to the outbox while the receiver is
    /// down are all delivered after SIGKILL and a restart.
    func testNoticesPendingAtSIGKILLAreDeliveredAfterARestart() throws {
        let down = path("receiver-down")
        _ = FileManager.default.createFile(atPath: down, contents: nil)
        let receiver = try startReceiver(["--down", down])
        let configPath = path("config.yaml")
        try runConfig().write(toFile: configPath, atomically: true, encoding: .utf8)
        let lines = [
            Self.authLine,
            "12:00:01 - LiteLLM Proxy:ERROR: proxy_server.py:1 - litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached for gpt-4o. Received Model Group=gpt-4o\n",
            "12:00:02 - LiteLLM Proxy:ERROR: proxy_server.py:1 - litellm.BadRequestError: ContextWindowExceededError: OpenAIException - This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens. Received Model Group=gpt-4o\n",
        ]
        append(path("proxy.log"), lines.joined())
        let (first, _, stderr) = try startLogwatch(["run", "--config", configPath], hook: receiver.url)
        XCTAssertTrue(waitUntil { ((try? StateStore(directory: path("state")).depth()) ?? 0) >= 2 }, "nothing queued: \(stderr.text)")
        let queued = try StateStore(directory: path("state")).depth()
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        XCTAssertTrue(notices(receiver.out).isEmpty, "the receiver was down")
        try FileManager.default.removeItem(atPath: down)
        let (second, _, stderr2) = try startLogwatch(["run", "--config", configPath], hook: receiver.url)
        // Some incidents may still have been inside group_wait at the kill: they come from the
        // restored incident book a moment after the queued notices.
        let rules = { Set(self.notices(receiver.out).flatMap { ($0["incidents"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String } }) }
        XCTAssertTrue(waitUntil { ((try? StateStore(directory: path("state")).depth()) ?? 1) == 0 && rules().count == 3 },
                      stderr2.text)
        second.terminate()
        second.waitUntilExit()
        XCTAssertEqual(rules(), ["azure-auth-401", "openai-rate-limit-429", "context-window-exceeded"], "every notice arrived")
        XCTAssertGreaterThanOrEqual(notices(receiver.out).count, queued)
    }

    static func alertmanagerBinary() -> String? {
        ["/usr/bin/prometheus-alertmanager", "/usr/bin/alertmanager", "/usr/local/bin/alertmanager"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The delivery issue's second "done when", through the binary and a real Alertmanager.
    func testAlertmanagerFormatLeavesAnAlertWithClassAndRuleLabels() throws {
        guard let binary = Self.alertmanagerBinary() else {
            throw XCTSkip("prometheus-alertmanager is not installed; `make deps` installs it")
        }
        try FileManager.default.createDirectory(atPath: path("am-data"), withIntermediateDirectories: true)
        try "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n".write(toFile: path("am.yml"), atomically: true, encoding: .utf8)
        let port = freePort()
        let am = Process()
        am.executableURL = URL(fileURLWithPath: binary)
        am.arguments = ["--config.file=\(path("am.yml"))", "--storage.path=\(path("am-data"))",
                        "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address="]
        am.standardOutput = FileHandle.nullDevice
        am.standardError = FileHandle.nullDevice
        try am.run()
        started.append(am)
        XCTAssertTrue(waitUntil(60) { get("http://127.0.0.1:\(port)/-/ready").status == 200 })
        append(path("proxy.log"), "")
        let (process, _, stderr) = try startLogwatch(["--follow", path("proxy.log"), "--webhook", "http://127.0.0.1:\(port)",
                                                      "--webhook-format", "alertmanager", "--group-wait", "0.5",
                                                      "--state-dir", path("state"), "--from-start"])
        XCTAssertTrue(waitUntil { stderr.text.contains("Started") }, stderr.text)
        append(path("proxy.log"), Self.authLine)
        var alerts: [[String: Any]] = []
        XCTAssertTrue(waitUntil {
            let body = get("http://127.0.0.1:\(port)/api/v2/alerts").body
            alerts = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]]) ?? []
            return !alerts.isEmpty
        }, stderr.text)
        process.terminate()
        process.waitUntilExit()
        let labels = alerts.first?["labels"] as? [String: String] ?? [:]
        XCTAssertEqual(labels["class"], "auth")
        XCTAssertEqual(labels["rule"], "azure-auth-401")
        XCTAssertEqual(labels["provider"], "azure")
        XCTAssertNotNil(labels["host"])
        let annotations = alerts.first?["annotations"] as? [String: String] ?? [:]
        XCTAssertNotNil(annotations["summary"])
    }

    /// Issue 6's deploy correlation, live from journal files: incidents that open after systemd
    /// restarted litellm.service say so in the notice; other units' entries never show up.
    func testJournalFollowTiesIncidentsToTheUnitRestart() throws {
        let receiver = try startReceiver()
        let journal = path("journal")
        try FileManager.default.createDirectory(atPath: journal, withIntermediateDirectories: true)
        let export = try Data(contentsOf: EndToEndTests.repository.appendingPathComponent("Samples/litellm-journal.export"))
        try ProcessRunner.journalRemote(export, output: URL(fileURLWithPath: journal + "/sample.journal"))
        let (process, stdout, stderr) = try startLogwatch([
            "--journal", "--journal-dir", journal, "--unit", "litellm.service", "--from-start",
            "--webhook", receiver.url, "--webhook-format", "generic", "--group-wait", "0.5", "--state-dir", path("state")])
        let contexts = {
            self.notices(receiver.out).flatMap { ($0["incidents"] as? [[String: Any]] ?? []).compactMap { $0["deploy_context"] as? String } }
        }
        XCTAssertTrue(waitUntil { contexts().contains { $0.contains("after litellm.service restarted at") } },
                      "no incident tied to the restart: \(contexts()) \(stderr.text)")
        process.terminate()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let everything = received(receiver.out).compactMap { $0["body"] as? String }.joined() + stdout.text
        XCTAssertFalse(everything.contains("org-canary") || everything.contains("FATAL:  password"), "another unit's entry leaked in")
    }
}
