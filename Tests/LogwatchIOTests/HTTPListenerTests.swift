import Foundation
import Logging
import TestSupport
import XCTest
@testable import LogwatchIO
import LogwatchCore

/// A real listener on 127.0.0.1, port 0, asked over a real socket.
final class HTTPListenerTests: XCTestCase {
    static let rules: [CompiledRule] = {
        // The shipped catalogue is covered by its own tests; a failure to load it here is a setup error.
        return try! RuleDirectory.load([Repository.path("Rules")]).ruleSet.rules
    }()

    var listener: HTTPListener?

    override func tearDown() {
        listener?.stop()
        listener = nil
    }

    func start(_ metrics: LogwatchMetrics = LogwatchMetrics(version: "test"),
               rules: [CompiledRule] = []) throws -> (HTTPListener, Int) {
        let listener = HTTPListener(configuration: .init(host: "127.0.0.1", port: 0), metrics: metrics,
                                    entries: EntryPages(rules: rules), logger: Logger(label: "test"))
        self.listener = listener
        let port = try listener.start()
        XCTAssertGreaterThan(port, 0)
        XCTAssertEqual(listener.port, port)
        return (listener, port)
    }

    func testMetricsReportCountsInTheTextExpositionFormat() throws {
        let metrics = LogwatchMetrics(version: "1.2.3")
        metrics.declare(sources: ["journal:litellm.service"], sinks: ["slack"])
        for _ in 0..<3 { metrics.recordRead(source: "file:/var/log/litellm/proxy.log") }
        metrics.recordRead(source: "file:/var/log/litellm/proxy.log", count: 5)
        metrics.readCounter(source: "file:/var/log/litellm/proxy.log").increment(by: 2)
        metrics.matched(class: .auth, rule: "azure-auth-401")
        metrics.matched(class: .auth, rule: "azure-auth-401")
        metrics.matched(class: .unknown, rule: "none")
        metrics.matchedCounter(class: .unknown, rule: "none").increment(by: 3)
        metrics.setIncidentsOpen(2)
        metrics.noticeSent(sink: "slack")
        metrics.noticeFailed(sink: "slack")
        metrics.noticeFailed(sink: "slack")
        metrics.noticeDropped(sink: "webhook")
        metrics.noticeSuppressed(sink: "slack")
        metrics.setOutboxDepth(4)
        metrics.setSourceLag(source: "file:/var/log/litellm/proxy.log", bytes: 4096)
        metrics.linesTruncated()
        metrics.recordSkipped(reason: "invalid_utf8", count: 2)
        metrics.setRulesLoaded(62)
        metrics.configReloaded(success: true)
        metrics.configReloaded(success: false)
        metrics.configReloaded(success: false)
        // A secret in a label value is masked before it is ever exposed.
        metrics.recordRead(source: "https://logs.example/tail?token=abcdef0123456789")

        let (_, port) = try start(metrics)
        let response = try RawHTTPClient.get(port: port, "/metrics")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        let samples = try ExpositionFormat.parse(response.body)

        func value(_ series: String) -> Double? { samples[series] }
        XCTAssertEqual(value(#"logwatch_records_read_total{source="file:/var/log/litellm/proxy.log"}"#), 10)
        XCTAssertEqual(value(#"logwatch_records_read_total{source="journal:litellm.service"}"#), 0)
        XCTAssertEqual(value(#"logwatch_records_matched_total{class="auth",rule="azure-auth-401"}"#), 2)
        XCTAssertEqual(value(#"logwatch_records_matched_total{class="unknown",rule="none"}"#), 4)
        XCTAssertEqual(value("logwatch_incidents_open"), 2)
        XCTAssertEqual(value(#"logwatch_notices_sent_total{sink="slack"}"#), 1)
        XCTAssertEqual(value(#"logwatch_notices_failed_total{sink="slack"}"#), 2)
        XCTAssertEqual(value(#"logwatch_notices_dropped_total{sink="slack"}"#), 0)
        XCTAssertEqual(value(#"logwatch_notices_dropped_total{sink="webhook"}"#), 1)
        XCTAssertEqual(value(#"logwatch_notices_suppressed_total{sink="slack"}"#), 1)
        XCTAssertEqual(value("logwatch_outbox_depth"), 4)
        XCTAssertEqual(value(#"logwatch_source_lag_bytes{source="file:/var/log/litellm/proxy.log"}"#), 4096)
        XCTAssertEqual(value(#"logwatch_source_lag_bytes{source="journal:litellm.service"}"#), 0)
        XCTAssertEqual(value("logwatch_lines_truncated_total"), 1)
        XCTAssertEqual(value(#"logwatch_records_skipped_total{reason="invalid_utf8"}"#), 2)
        XCTAssertEqual(value("logwatch_rules_loaded"), 62)
        XCTAssertEqual(value(#"logwatch_config_reloads_total{result="success"}"#), 1)
        XCTAssertEqual(value(#"logwatch_config_reloads_total{result="failure"}"#), 2)
        XCTAssertEqual(value(#"logwatch_build_info{version="1.2.3",rules="62"}"#), 1)
        // The series made at start (rules="0") was replaced, not left reading 1 beside it.
        XCTAssertEqual(samples.keys.filter { $0.hasPrefix("logwatch_build_info") }.count, 1)
        XCTAssertFalse(response.body.contains("abcdef0123456789"), "a secret in a label value is masked")
        XCTAssertTrue(response.body.contains("6789"), "the masked value keeps its last characters")

        // Every documented metric is exposed, and every exposed one is documented.
        let exposed = Set(samples.keys.map { String($0.prefix { $0 != "{" }) })
        XCTAssertEqual(exposed, Set(LogwatchMetrics.Name.all))
        let docs = try String(contentsOfFile: Repository.path("docs/metrics.md"), encoding: .utf8)
        for name in LogwatchMetrics.Name.all {
            XCTAssertTrue(docs.contains("`\(name)`"), "docs/metrics.md describes \(name)")
        }
    }

    func testTwoMetricSetsInOneProcessAreIndependent() {
        let a = LogwatchMetrics(version: "a"), b = LogwatchMetrics(version: "b")
        a.noticeSent(sink: "slack")
        let bText = String(decoding: b.exposition(), as: UTF8.self)
        let aText = String(decoding: a.exposition(), as: UTF8.self)
        XCTAssertTrue(aText.contains(#"logwatch_notices_sent_total{sink="slack"} 1"#))
        XCTAssertFalse(bText.contains(#"logwatch_notices_sent_total{sink="slack"}"#))
    }

    func testUpdatesFromManyThreadsAreAllCounted() throws {
        let metrics = LogwatchMetrics(version: "test")
        let sources = ["a", "b", "c", "d"], rules = ["r1", "r2", "r3"]
        // Threads race to create the same series and to increment them.
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for i in 0..<2_000 {
                metrics.recordRead(source: sources[(worker + i) % sources.count])
                metrics.matched(class: .quota, rule: rules[(worker * 7 + i) % rules.count])
                metrics.noticeSent(sink: "slack")
            }
        }
        let samples = try ExpositionFormat.parse(String(decoding: metrics.exposition(), as: UTF8.self))
        let read = sources.map { samples[#"logwatch_records_read_total{source="\#($0)"}"#] ?? 0 }.reduce(0, +)
        let matched = rules.map { samples[#"logwatch_records_matched_total{class="quota",rule="\#($0)"}"#] ?? 0 }.reduce(0, +)
        XCTAssertEqual(read, 16_000)
        XCTAssertEqual(matched, 16_000)
        XCTAssertEqual(samples[#"logwatch_notices_sent_total{sink="slack"}"#], 16_000)
    }

    func testHealthAnswersAndReadinessFlipsFrom503To200() throws {
        let (listener, port) = try start()
        let health = try RawHTTPClient.get(port: port, "/healthz")
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(health.body, "ok\n")
        let head = try RawHTTPClient.get(port: port, "/healthz", method: "HEAD")
        XCTAssertEqual(head.status, 200, "HEAD answers like GET")
        XCTAssertEqual(head.body, "")
        XCTAssertEqual(try RawHTTPClient.get(port: port, "/healthz", method: "POST").status, 404)

        var ready = try RawHTTPClient.get(port: port, "/readyz")
        XCTAssertEqual(ready.status, 503)
        XCTAssertEqual(ready.body, "not ready: starting\n")

        listener.readiness = .notReady("rules not loaded")
        ready = try RawHTTPClient.get(port: port, "/readyz")
        XCTAssertEqual(ready.status, 503)
        XCTAssertEqual(ready.body, "not ready: rules not loaded\n")

        listener.readiness = .notReady("cannot reach https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX")
        ready = try RawHTTPClient.get(port: port, "/readyz")
        XCTAssertEqual(ready.status, 503)
        XCTAssertFalse(ready.body.contains("T000/B000"), "a reason is redacted: \(ready.body)")

        listener.readiness = .ready
        ready = try RawHTTPClient.get(port: port, "/readyz")
        XCTAssertEqual(ready.status, 200)
        XCTAssertEqual(ready.body, "ready\n")
    }

    func testEntriesIndexAndPagesAreServedFromMemory() throws {
        let rules = Self.rules
        let rule = try XCTUnwrap(rules.first { $0.id == "azure-auth-401" })
        let (_, port) = try start(rules: rules)

        let index = try RawHTTPClient.get(port: port, "/entries/")
        XCTAssertEqual(index.status, 200)
        XCTAssertEqual(index.headers["content-type"], "text/html; charset=utf-8")
        XCTAssertEqual(index.body, EntryRenderer.indexHTML(rules))
        XCTAssertTrue(index.body.contains(EntryRenderer.escape(rule.title)))
        XCTAssertTrue(index.body.contains(#"href="auth/azure-auth-401.html""#))

        // The path a notice links to: {base_url}/{class}/{id}.html with base_url = .../entries.
        let page = try RawHTTPClient.get(port: port, "/entries/auth/azure-auth-401.html")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.body.contains("<h1>\(EntryRenderer.escape(rule.title))</h1>"))
        XCTAssertEqual(page.body, EntryRenderer.html(rule))
        XCTAssertEqual(page.headers["x-content-type-options"], "nosniff")

        let markdown = try RawHTTPClient.get(port: port, "/entries/auth/azure-auth-401.md")
        XCTAssertEqual(markdown.status, 200)
        XCTAssertEqual(markdown.headers["content-type"], "text/markdown; charset=utf-8")
        XCTAssertEqual(markdown.body, EntryRenderer.markdown(rule))

        // The page's "All entries" link (../index.html) resolves too.
        XCTAssertEqual(try RawHTTPClient.get(port: port, "/entries/index.html").body, index.body)

        // Without the slash, relative links in the index would resolve against /, so redirect.
        let bare = try RawHTTPClient.get(port: port, "/entries")
        XCTAssertEqual(bare.status, 301)
        XCTAssertEqual(bare.headers["location"], "entries/", "relative, so it survives a proxy prefix")
    }

    func testTraversalAndUnknownPathsGive404() throws {
        let (_, port) = try start(rules: Self.rules)
        let paths = [
            "/entries/../Package.swift",
            "/entries/auth/../../../../etc/passwd",
            "/entries/%2e%2e/%2e%2e/etc/passwd",
            "/entries/..%2f..%2fetc%2fpasswd",
            "/entries//etc/passwd",
            "/entries/auth/",
            "/entries/auth/azure-auth-401",
            "/entries/auth/azure-auth-401.yaml",
            "/entries/quota/azure-auth-401.html",
            "/../etc/passwd",
            "/Rules/auth/azure-auth-401.yaml",
            "/",
            "/metrics/extra",
            "/nope",
        ]
        for path in paths {
            let response = try RawHTTPClient.get(port: port, path)
            XCTAssertEqual(response.status, 404, path)
            XCTAssertFalse(response.body.contains("root:"), path)
        }
    }

    func testEntriesSwappedAtRuntimeAreServed() throws {
        let auth = Self.rules.filter { $0.ruleClass == .auth }
        let quota = Self.rules.filter { $0.ruleClass == .quota }
        let authRule = try XCTUnwrap(auth.first), quotaRule = try XCTUnwrap(quota.first)
        let authPath = "/entries/auth/\(authRule.id).html", quotaPath = "/entries/quota/\(quotaRule.id).html"
        let (listener, port) = try start(rules: auth)
        XCTAssertEqual(try RawHTTPClient.get(port: port, authPath).status, 200)
        XCTAssertEqual(try RawHTTPClient.get(port: port, quotaPath).status, 404)

        // As a SIGHUP reload does: render the new set, swap it in whole.
        listener.entries = EntryPages(rules: quota)
        XCTAssertEqual(listener.entries.ruleCount, quota.count)
        let page = try RawHTTPClient.get(port: port, quotaPath)
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.body.contains(EntryRenderer.escape(quotaRule.title)))
        XCTAssertEqual(try RawHTTPClient.get(port: port, authPath).status, 404)
        XCTAssertFalse(try RawHTTPClient.get(port: port, "/entries/").body.contains(authRule.id))
    }

    func testStopClosesThePortAndABusyPortIsAClearStartError() throws {
        let (first, port) = try start()
        let second = HTTPListener(configuration: .init(host: "127.0.0.1", port: port),
                                  metrics: LogwatchMetrics(version: "test"), logger: Logger(label: "test"))
        XCTAssertThrowsError(try second.start()) { error in
            XCTAssertTrue("\(error)".contains("could not listen on 127.0.0.1:\(port)"), "\(error)")
        }
        XCTAssertNil(second.port)
        XCTAssertThrowsError(try first.start()) { error in
            XCTAssertTrue("\(error)".contains("already running"), "\(error)")
        }

        first.stop()
        XCTAssertNil(first.port)
        XCTAssertThrowsError(try RawHTTPClient.get(port: port, "/healthz"), "nothing listens after stop()")

        // A stopped listener can start again.
        let again = try first.start()
        XCTAssertEqual(try RawHTTPClient.get(port: again, "/healthz").status, 200)
    }

    func testStopClosesAScrapersIdleKeepAliveConnection() throws {
        let (listener, port) = try start()
        let fd = try RawHTTPClient.connect(port: port)
        defer { close(fd) }
        // Prometheus keeps its connection open between scrapes; stop() must not wait on it.
        RawHTTPClient.send(fd, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let first = String(decoding: RawHTTPClient.readSome(fd), as: UTF8.self)
        XCTAssertTrue(first.hasPrefix("HTTP/1.1 200"), first)
        XCTAssertTrue(first.hasSuffix("ok\n"), first)
        listener.stop()
        XCTAssertNil(listener.port)
        XCTAssertEqual(RawHTTPClient.readToEnd(fd), [], "the server closed the idle connection")
    }

    func testDefaultsToLoopback() {
        XCTAssertEqual(HTTPListener.Configuration(), .init(host: "127.0.0.1", port: 9466))
        XCTAssertEqual("\(HTTPListener.Configuration())", "127.0.0.1:9466")
        XCTAssertEqual("\(HTTPListener.Configuration(host: "::1", port: 0))", "[::1]:0")
    }

}
