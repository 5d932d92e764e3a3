import AsyncHTTPClient
import Foundation
import LogwatchIO
import TestSupport
import XCTest

/// The sink's pure parts: retry timing, `Retry-After`, status classification, URL masking.
final class WebhookSinkTests: XCTestCase {
    typealias Retry = WebhookSink.Configuration.Retry

    func testBackoffDoublesFromTheBaseUpToTheCapWithoutJitter() {
        let retry = Retry(baseDelay: 2, maxDelay: 30, jitter: 0)
        var random = SplitMix64(seed: 1)
        XCTAssertEqual((1...6).map { retry.delay(afterAttempts: $0, using: &random) }, [2, 4, 8, 16, 30, 30])
        // A huge attempt count neither overflows nor exceeds the cap.
        XCTAssertEqual(retry.delay(afterAttempts: 10_000, using: &random), 30)
    }

    func testFullJitterStaysBetweenZeroAndTheExponentialValueAndVaries() {
        let retry = Retry(baseDelay: 1, maxDelay: 60, jitter: 1)
        var random = SplitMix64(seed: 42)
        var seen = Set<Double>()
        for attempts in 1...8 {
            let ceiling = min(60, pow(2, Double(attempts - 1)))
            for _ in 0..<200 {
                let delay = retry.delay(afterAttempts: attempts, using: &random)
                XCTAssertGreaterThanOrEqual(delay, 0)
                XCTAssertLessThanOrEqual(delay, ceiling)
                seen.insert(delay)
            }
        }
        XCTAssertGreaterThan(seen.count, 1000, "jitter must spread retries")
        // The same seed gives the same waits: the calculation depends on its inputs only.
        var a = SplitMix64(seed: 7), b = SplitMix64(seed: 7)
        XCTAssertEqual((1...10).map { retry.delay(afterAttempts: $0, using: &a) },
                       (1...10).map { retry.delay(afterAttempts: $0, using: &b) })
    }

    func testPartialJitterKeepsTheFixedShare() {
        let retry = Retry(baseDelay: 10, maxDelay: 10, jitter: 0.2)
        var random = SplitMix64(seed: 3)
        for _ in 0..<500 {
            let delay = retry.delay(afterAttempts: 1, using: &random)
            XCTAssertTrue((8...10).contains(delay), "\(delay)")
        }
    }

    func testNextAttemptUsesTheServersDelayAndGivesUpByAttemptsOrAge() {
        var random = SplitMix64(seed: 9)
        let retry = Retry(baseDelay: 1, maxDelay: 100, jitter: 0, maxAttempts: 3, maxAge: 1_000, maxRetryAfter: 600)
        XCTAssertEqual(retry.nextAttempt(afterAttempts: 1, created: 0, now: 50, serverDelay: nil, using: &random), 51)
        XCTAssertEqual(retry.nextAttempt(afterAttempts: 2, created: 0, now: 50, serverDelay: 120, using: &random), 170)
        // A Retry-After beyond the ceiling is clamped, not obeyed for days.
        XCTAssertEqual(retry.nextAttempt(afterAttempts: 1, created: 0, now: 50, serverDelay: 90_000, using: &random), 650)
        XCTAssertNil(retry.nextAttempt(afterAttempts: 3, created: 0, now: 50, serverDelay: nil, using: &random))
        XCTAssertNil(retry.nextAttempt(afterAttempts: 1, created: 0, now: 999.5, serverDelay: nil, using: &random))
        let forever = Retry(baseDelay: 1, maxDelay: 100, jitter: 0, maxAttempts: nil, maxAge: nil)
        XCTAssertEqual(forever.nextAttempt(afterAttempts: 500, created: 0, now: 1e9, serverDelay: nil, using: &random), 1e9 + 100)
    }

    func testRetryAfterReadsSecondsAndHTTPDates() {
        let now = Date(timeIntervalSince1970: 784_111_777) // Sun, 06 Nov 1994 08:49:37 GMT
        XCTAssertEqual(WebhookSink.retryAfter("1", now: now), 1)
        XCTAssertEqual(WebhookSink.retryAfter(" 120 ", now: now), 120)
        XCTAssertEqual(WebhookSink.retryAfter("Sun, 06 Nov 1994 08:50:07 GMT", now: now), 30)
        XCTAssertEqual(WebhookSink.retryAfter("Sunday, 06-Nov-94 08:50:07 GMT", now: now), 30)
        XCTAssertEqual(WebhookSink.retryAfter("Sun Nov  6 08:50:07 1994", now: now), 30)
        // A date in the past means "now", never a negative wait.
        XCTAssertEqual(WebhookSink.retryAfter("Sun, 06 Nov 1994 08:00:00 GMT", now: now), 0)
        for bad in ["", "soon", "-5", "1.5e3", "٣"] {
            XCTAssertNil(WebhookSink.retryAfter(bad, now: now), bad)
        }
    }

    func testEachStatusHasItsOutcome() throws {
        let client = WebhookSink.makeClient()
        defer { try? client.syncShutdown() }
        let sink = WebhookSink(configuration: .init(name: "t", url: "http://127.0.0.1:1/hook"), client: client)
        let now = Date(timeIntervalSince1970: 0)
        func outcome(_ status: Int, _ retryAfter: String? = nil) -> WebhookSink.Outcome {
            sink.classify(status: status, retryAfter: retryAfter, body: Array("nope".utf8), now: now)
        }
        for status in [200, 201, 202, 204] { XCTAssertEqual(outcome(status), .delivered(status: status)) }
        for status in [500, 502, 503, 504, 408] { XCTAssertEqual(outcome(status), .retryLater(after: nil, reason: "HTTP \(status)")) }
        XCTAssertEqual(outcome(429, "7"), .retryLater(after: 7, reason: "HTTP 429"))
        XCTAssertEqual(outcome(503, "2"), .retryLater(after: 2, reason: "HTTP 503"))
        XCTAssertEqual(outcome(429, "garbage"), .retryLater(after: nil, reason: "HTTP 429"))
        for status in [400, 401, 403, 404, 410, 413, 422, 301, 302] {
            XCTAssertEqual(outcome(status), .permanent(status: status, body: "nope"))
        }
    }

    func testARefusalsBodyIsCutRedactedAndFreeOfTheURL() throws {
        let client = WebhookSink.makeClient()
        defer { try? client.syncShutdown() }
        let url = "https://hooks.slack.com/services/T0AAAA/B0BBBB/tokentokentoken99"
        let sink = WebhookSink(configuration: .init(name: "slack", url: url, format: "slack"), client: client)
        let body = "invalid_token for \(url)\nkey sk-abcdefghijklmnop1234 " + String(repeating: "x", count: 3_000)
        guard case .permanent(let status, let excerpt) = sink.classify(status: 403, retryAfter: nil, body: Array(body.utf8),
                                                                      now: Date()) else {
            return XCTFail("a 403 is permanent")
        }
        XCTAssertEqual(status, 403)
        XCTAssertLessThanOrEqual(excerpt.count, WebhookSink.bodyExcerptLimit + 40)
        XCTAssertFalse(excerpt.contains("tokentokentoken99"), excerpt)
        XCTAssertFalse(excerpt.contains("sk-abcdefghijklmnop1234"), excerpt)
        XCTAssertTrue(excerpt.contains("****1234"), excerpt)
        XCTAssertTrue(excerpt.contains("https://hooks.slack.com/…"), excerpt)
        XCTAssertFalse(excerpt.contains("\n"))
    }

    func testMaskedURLsKeepOnlySchemeHostAndPort() {
        XCTAssertEqual(WebhookSink.mask("https://hooks.slack.com/services/T000/B000/XXXXXXXX"), "https://hooks.slack.com/…")
        XCTAssertEqual(WebhookSink.mask("https://user:pass@am.internal:9093/api/v2/alerts?token=abc"), "https://am.internal:9093/…")
        XCTAssertEqual(WebhookSink.mask("not a url"), "(invalid URL)")
    }

    func testAlertmanagerIsAddressedByItsBaseURL() {
        XCTAssertEqual(WebhookSink.Configuration(name: "am", url: "http://am:9093", format: "alertmanager").endpoint,
                       "http://am:9093/api/v2/alerts")
        XCTAssertEqual(WebhookSink.Configuration(name: "am", url: "http://am:9093/", format: "alertmanager").endpoint,
                       "http://am:9093/api/v2/alerts")
        XCTAssertEqual(WebhookSink.Configuration(name: "am", url: "http://am:9093/api/v2/alerts", format: "alertmanager").endpoint,
                       "http://am:9093/api/v2/alerts")
        XCTAssertEqual(WebhookSink.Configuration(name: "s", url: "https://x.test/hook", format: "slack").endpoint, "https://x.test/hook")
    }

    func testAnInvalidURLIsRejectedWithoutBeingShown() {
        for url in ["", "hooks.slack.com/services/SECRET", "ftp://x/SECRET", "https:///SECRET"] {
            XCTAssertThrowsError(try WebhookSink.Configuration(name: "chat", url: url).validate()) { error in
                XCTAssertTrue("\(error)".contains("sink chat"), "\(error)")
                XCTAssertFalse("\(error)".contains("SECRET"), "\(error)")
            }
        }
        XCTAssertNoThrow(try WebhookSink.Configuration(name: "chat", url: "https://hooks.slack.com/services/A/B/C").validate())
    }
}
