import Foundation
import LogwatchCore
import TestSupport
import XCTest
@testable import LogwatchIO

/// Issue 18 at the edge: silences in the real state file, who may write, the Grafana dashboard.
final class ConsoleIOTests: XCTestCase {
    func temporaryDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "logwatch-console-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        return directory
    }

    func testSilencesAreInTheStateFileAcrossReopeningAndExpireKeepsThemListed() throws {
        let directory = try temporaryDirectory()
        let now = 1_764_000_000.0
        var silences = try SilenceStore(store: StateStore(directory: directory))
        let quota = try silences.add(.ruleClass(.quota), duration: 7_200, comment: "load test", now: now)
        let rule = try silences.add(.rule("azure-auth-401"), duration: 600, comment: "", now: now)
        XCTAssertNotEqual(quota.id, rule.id)

        // A new store on the same file (a restart) finds both.
        silences = try SilenceStore(store: StateStore(directory: directory))
        XCTAssertEqual(Set(silences.active(at: now + 1).map(\.id)), [quota.id, rule.id])
        XCTAssertEqual(try silences.expire(quota.id, now: now + 10)?.endsAt, now + 10)
        XCTAssertNil(try silences.expire("s-nothere", now: now + 10))
        silences = try SilenceStore(store: StateStore(directory: directory))
        XCTAssertEqual(silences.active(at: now + 11).map(\.id), [rule.id])
        XCTAssertEqual(silences.all.count, 2, "an expired silence stays listed for a day")
        // A day later, the next change forgets it.
        _ = try silences.add(.ruleClass(.auth), duration: 60, comment: "", now: now + 10 + SilenceStore.keepExpired + 1)
        XCTAssertFalse(silences.all.contains { $0.id == quota.id })
    }

    func testWritesNeedLoopbackOrTheRightBearerToken() throws {
        let store = try SilenceStore(store: StateStore(directory: temporaryDirectory()))
        let open = Console(snapshot: { IncidentSnapshot(host: "h", generatedAt: 0, incidents: [], silences: []) },
                           silences: store, notifyTest: { _ in nil }, token: nil)
        XCTAssertNil(open.refusal(loopback: true, authorization: nil))
        XCTAssertEqual(open.refusal(loopback: false, authorization: "Bearer anything"), .notLoopback)
        var guarded = open
        guarded.token = "s3cret-token"
        XCTAssertNil(guarded.refusal(loopback: true, authorization: nil))
        XCTAssertNil(guarded.refusal(loopback: false, authorization: "Bearer s3cret-token"))
        XCTAssertEqual(guarded.refusal(loopback: false, authorization: nil), .missingToken)
        XCTAssertEqual(guarded.refusal(loopback: false, authorization: "Basic s3cret-token"), .missingToken)
        for wrong in ["Bearer s3cret-toke", "Bearer s3cret-token2", "Bearer ", "Bearer S3CRET-TOKEN"] {
            XCTAssertEqual(guarded.refusal(loopback: false, authorization: wrong), .wrongToken, wrong)
        }
        XCTAssertTrue(Console.isLoopback("127.0.0.1"))
        XCTAssertTrue(Console.isLoopback("127.8.0.3"))
        XCTAssertTrue(Console.isLoopback("::1"))
        XCTAssertTrue(Console.isLoopback("::ffff:127.0.0.1"))
        XCTAssertFalse(Console.isLoopback("10.0.0.1"))
        XCTAssertFalse(Console.isLoopback("::ffff:10.0.0.1"))
        XCTAssertFalse(Console.isLoopback(nil))
    }

    /// examples/grafana/logwatch.json: every query names only metrics the daemon exports, and the
    /// panels the issue asks for are there.
    func testEveryGrafanaQueryNamesAnExportedMetric() throws {
        let url = Repository.url("examples/grafana/logwatch.json")
        let dashboard = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        func panels(_ list: [[String: Any]]) -> [[String: Any]] {
            list.flatMap { [$0] + panels($0["panels"] as? [[String: Any]] ?? []) }
        }
        let expressions = panels(dashboard["panels"] as? [[String: Any]] ?? [])
            .flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        XCTAssertGreaterThanOrEqual(expressions.count, 10)
        let exported = Set(LogwatchMetrics.Name.all)
        let pattern = try NSRegularExpression(pattern: "\\blogwatch_[a-z_]+")
        var used: Set<String> = []
        for expression in expressions {
            let names = pattern.matches(in: expression, range: NSRange(expression.startIndex..., in: expression))
                .map { String(expression[Range($0.range, in: expression)!]) }
            XCTAssertFalse(names.isEmpty, "a query that names no logwatch metric: \(expression)")
            for name in names { XCTAssertTrue(exported.contains(name), "\(name) is not exported (in: \(expression))") }
            used.formUnion(names)
        }
        for wanted in ["logwatch_records_matched_total", "logwatch_records_read_total", "logwatch_notices_failed_total",
                       "logwatch_outbox_depth", "logwatch_source_lag_bytes"] {
            XCTAssertTrue(used.contains(wanted), "no panel uses \(wanted)")
        }
    }
}
