import AsyncHTTPClient
import Foundation
import Logging
import LogwatchIO
import NIOCore
import NIOHTTP1
import XCTest

/// A real Alertmanager (Debian's `prometheus-alertmanager`, installed by `make deps`) started on
/// loopback: a notice posted through the outbox and the webhook sink becomes an alert that
/// Alertmanager lists with its labels.
final class AlertmanagerTests: XCTestCase {
    static func binary() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") + ["/usr/bin", "/usr/local/bin"] {
            for name in ["prometheus-alertmanager", "alertmanager"] {
                let candidate = "\(directory)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    func testAnAlertPostedThroughTheSinkIsListedWithClassAndRule() async throws {
        guard let binary = Self.binary() else {
            throw XCTSkip("prometheus-alertmanager is not installed; `make deps` installs it (Debian package prometheus-alertmanager)")
        }
        let directory = NSTemporaryDirectory() + "logwatch-am-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/alertmanager.yml"
        try """
            route:
              receiver: blackhole
            receivers:
              - name: blackhole
            """.write(toFile: config, atomically: true, encoding: .utf8)

        let port = try TestReceiver.freePort()
        let base = "http://127.0.0.1:\(port)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--config.file=\(config)", "--storage.path=\(directory)/data",
                             "--web.listen-address=127.0.0.1:\(port)",
                             // Empty on purpose: otherwise it joins a cluster on 0.0.0.0:9094.
                             "--cluster.listen-address="]
        let output = FileHandle(forWritingAtPath: "/dev/null")
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }

        let client = WebhookSink.makeClient()
        do {
            try await postAndList(client: client, base: base, directory: directory)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    func postAndList(client: HTTPClient, base: String, directory: String) async throws {
        let ready = await waitReady(client, base + "/-/ready")
        XCTAssertTrue(ready, "Alertmanager did not become ready on \(base)")
        guard ready else { return }

        let formatter = ISO8601DateFormatter()
        let now = Date()
        let alert: [[String: Any]] = [[
            "labels": ["alertname": "LogwatchIncident", "class": "auth", "rule": "auth.azure-invalid-key",
                       "severity": "critical", "host": "proxy-1"],
            "annotations": ["summary": "Azure rejected the subscription key (401)",
                            "description": "12 events since 08:00", "runbook_url": "https://example.invalid/entries/auth.azure-invalid-key"],
            "startsAt": formatter.string(from: now.addingTimeInterval(-60)),
            "endsAt": formatter.string(from: now.addingTimeInterval(600)),
        ]]
        let body = try JSONSerialization.data(withJSONObject: alert)

        let store = try StateStore(directory: directory + "/state")
        try store.commit(.init(notices: [.init(sink: "am", notice: "i-1", kind: "firing", contentType: "application/json",
                                               body: [UInt8](body))]), now: now.timeIntervalSince1970)
        // Configured by its base URL, as operators do; the sink adds /api/v2/alerts.
        let sink = WebhookSink(configuration: .init(name: "am", url: base, format: "alertmanager"), client: client)
        let worker = DeliveryWorker(sink: sink, store: store, logger: Logger(label: "am-test"), idleCheck: 0.5)
        worker.start()
        let deadline = ContinuousClock.now + .seconds(60)
        while try store.depth() > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        await worker.stop(deadline: .now + .seconds(5))
        XCTAssertEqual(try store.depth(), 0)
        XCTAssertEqual(worker.counters.delivered, 1, "\(worker.counters)")

        var request = HTTPClientRequest(url: base + "/api/v2/alerts")
        request.method = .GET
        let response = try await client.execute(request, timeout: .seconds(30))
        XCTAssertEqual(response.status.code, 200)
        let listed = try await response.body.collect(upTo: 1 << 20)
        let alerts = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(listed.readableBytesView)) as? [[String: Any]])
        let labels = alerts.compactMap { $0["labels"] as? [String: String] }
        XCTAssertTrue(labels.contains { $0["class"] == "auth" && $0["rule"] == "auth.azure-invalid-key" && $0["alertname"] == "LogwatchIncident" },
                      "\(labels)")
    }

    func waitReady(_ client: HTTPClient, _ url: String) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let response = try? await client.execute(HTTPClientRequest(url: url), timeout: .seconds(2)),
               response.status.code == 200 {
                return true
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
