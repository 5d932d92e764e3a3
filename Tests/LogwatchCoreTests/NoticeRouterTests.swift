import Foundation
import LogwatchCore
import XCTest

final class NoticeRouterTests: XCTestCase {
    let context = NoticeFixture.context

    /// Two notices from the book: one auth (2 incidents: error + warning), one quota.
    func bookNotices() -> [Notice] {
        var book = IncidentBook()
        book.add(NoticeFixture.classify(NoticeFixture.azureLine), time: NoticeFixture.t0)
        book.add(NoticeFixture.classify(NoticeFixture.proxyLine), time: NoticeFixture.t0)
        book.add(NoticeFixture.classify(NoticeFixture.quotaLine), time: NoticeFixture.t0)
        return book.advance(to: NoticeFixture.t0 + 60)
    }

    func testEachSinkGetsOnlyTheClassesAndSeveritiesItsRouteTakes() {
        var router = NoticeRouter(routes: [
            .init(sink: "quota-chat", format: .slack, classes: [.quota]),
            .init(sink: "serious", format: .generic, minSeverity: .error),
        ])
        let outputs = router.route(bookNotices(), at: NoticeFixture.t0 + 60, context: context)
        let quota = outputs.filter { $0.sink == "quota-chat" }
        XCTAssertEqual(quota.flatMap { $0.notice.incidents.map(\.ruleID) }, ["openai-429"])
        XCTAssertTrue(quota.first?.payload.string.contains("\"blocks\"") == true, "rendered as Slack")
        let serious = outputs.filter { $0.sink == "serious" }.flatMap { $0.notice.incidents.map(\.ruleID) }
        XCTAssertEqual(Set(serious), ["azure-401", "openai-429"], "the warning-level proxy-key incident stays out")
    }

    func testStormControlCapsChatSinksButNotAlertmanagerAndReportsTheRest() {
        var router = NoticeRouter(routes: [
            .init(sink: "chat", format: .slack, perMinute: 1),
            .init(sink: "am", format: .alertmanager, perMinute: 1),
        ])
        // Digests: an incident's first notice and its resolve are never held (see StormGate).
        let notices = bookNotices().map { notice in
            var digest = Notice(kind: .digest, time: notice.time, group: notice.group, items: notice.items)
            digest.evicted = notice.evicted
            return digest
        }
        XCTAssertEqual(notices.count, 2)
        let now = NoticeFixture.t0 + 60
        let first = router.route(notices, at: now, context: context)
        XCTAssertEqual(first.filter { $0.sink == "chat" }.count, 1, "the second notice is held back")
        XCTAssertEqual(first.filter { $0.sink == "am" }.count, 2, "Alertmanager throttles itself")
        XCTAssertEqual(router.nextDeadline(), now + 60)
        XCTAssertTrue(router.route([], at: now + 30, context: context).isEmpty)
        let later = router.route([], at: now + 61, context: context)
        XCTAssertEqual(later.map(\.notice.kind), [.suppressed])
        XCTAssertEqual(later.first?.notice.suppressed, 1)
        XCTAssertEqual(later.first?.notice.folded, ["digest": 1])
        XCTAssertTrue(later.first?.payload.string.contains("1 update held back") == true)
    }

    func testDroppedOutboxNoticesAreReportedOnceInTheNextNotice() {
        var router = NoticeRouter(routes: [.init(sink: "hook", format: .generic, perMinute: 0)])
        let outputs = router.route(bookNotices(), at: NoticeFixture.t0 + 60, context: context) { $0 == "hook" ? 7 : 0 }
        XCTAssertEqual(outputs.map(\.notice.dropped), [7, 0])
    }
}
