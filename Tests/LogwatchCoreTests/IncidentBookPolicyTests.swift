import Foundation
import XCTest
@testable import LogwatchCore

/// The notice policy on timelines: time is an input, so every case is exact and fast.
final class IncidentBookPolicyTests: XCTestCase {
    let t0 = NoticeFixture.t0
    let azure = NoticeFixture.classify(NoticeFixture.azureLine)
    let proxy = NoticeFixture.classify(NoticeFixture.proxyLine)
    let quota = NoticeFixture.classify(NoticeFixture.quotaLine)

    /// The same rule with another fingerprint value: a separate incident of the same class.
    func azure(model: String) -> Classification {
        NoticeFixture.classify(NoticeFixture.azureLine.replacingOccurrences(of: "Model Group=gpt-4o", with: "Model Group=\(model)"))
    }

    func testGroupWaitBatchesIncidentsOfAClassThatOpenInOneWindow() {
        var book = IncidentBook()
        book.add(azure, time: t0)
        book.add(quota, time: t0 + 1)
        book.add(proxy, time: t0 + 3)
        book.add(azure(model: "gpt-4.1"), time: t0 + 12)
        XCTAssertEqual(book.nextDeadline(), t0 + 10)
        XCTAssertEqual(book.advance(to: t0 + 9.9).count, 0, "nothing before group_wait")
        let first = book.advance(to: t0 + 10)
        XCTAssertEqual(first.map(\.kind), [.firing])
        XCTAssertEqual(first[0].group, "auth")
        XCTAssertEqual(first[0].items.map(\.incident.ruleID), ["azure-401", "proxy-key"], "opened within 10 s of each other")
        let second = book.advance(to: t0 + 11)
        XCTAssertEqual(second.map(\.group), ["quota"], "another class has its own batch")
        XCTAssertEqual(book.advance(to: t0 + 21.9).count, 0)
        let third = book.advance(to: t0 + 22)
        XCTAssertEqual(third.map(\.kind), [.firing])
        XCTAssertEqual(third[0].items.map { $0.incident.fields["model_group"] }, ["gpt-4.1"], "opened after the first window closed")
    }

    func testGroupingByRuleOrIncidentSplitsBatches() {
        var book = IncidentBook(policy: .init(groupBy: .incident))
        book.add(azure, time: t0)
        book.add(proxy, time: t0 + 1)
        XCTAssertEqual(book.advance(to: t0 + 11).map(\.items.count), [1, 1])
    }

    func testDigestsCarryNewCountsAtMostEveryGroupInterval() {
        var book = IncidentBook()
        var notices: [Notice] = []
        book.add(azure, time: t0)
        for second in 1...1_000 {
            let now = t0 + Double(second)
            if second <= 800 { book.add(azure, time: now) }
            notices += book.advance(to: now)
        }
        let digests = notices.filter { $0.kind == .digest }
        XCTAssertEqual(notices.first?.kind, .firing)
        // Records stop at +800; the last digest at +910 still carries the news since +610.
        XCTAssertEqual(digests.map(\.time), [t0 + 310, t0 + 610, t0 + 910])
        XCTAssertEqual(digests.map(\.newCount), [300, 300, 190])
        // Then the resolve notice, with the total and nothing new.
        var later = notices
        for minute in 1...20 { later += book.advance(to: t0 + 1_000 + Double(minute * 60)) }
        let resolved = later.first { $0.kind == .resolved }
        XCTAssertEqual(resolved?.items.first?.incident.count, 801)
        XCTAssertEqual(resolved?.items.first?.newCount, 0)
        XCTAssertEqual(later.reduce(0) { $0 + $1.newCount }, 801, "every record is reported exactly once")
    }

    func testNewIncidentsDoNotStarveTheDigestOfAnOlderOne() {
        var book = IncidentBook()
        var notices: [Notice] = []
        book.add(azure, time: t0)
        for second in 1...700 {
            let now = t0 + Double(second)
            book.add(azure, time: now)
            // A new auth incident every four minutes.
            if second % 240 == 0 { book.add(azure(model: "m\(second)"), time: now) }
            notices += book.advance(to: now)
        }
        let digests = notices.filter { $0.kind == .digest }
        XCTAssertEqual(digests.first?.time, t0 + 310)
        XCTAssertTrue(digests.first?.items.contains { $0.incident.fields["model_group"] == "gpt-4o" } ?? false)
    }

    func testReminderRepostsAnIncidentStillFiringAfterRepeatInterval() {
        var book = IncidentBook(policy: .init(repeatInterval: 3_600))
        var notices: [Notice] = []
        book.add(azure, time: t0)
        for minute in 1...130 {
            let now = t0 + Double(minute * 60)
            book.add(azure, time: now)
            notices += book.advance(to: now)
        }
        let reminders = notices.filter { $0.kind == .reminder }
        XCTAssertEqual(reminders.count, 2)
        XCTAssertEqual(reminders.first?.time, t0 + 3_660, "firing at t0+60 (first look after group_wait), reminder an hour later")
        XCTAssertEqual(reminders.first?.items.first?.incident.state, .updated)
        XCTAssertEqual(notices.filter { $0.kind == .firing }.count, 1)
        XCTAssertEqual(notices.reduce(0) { $0 + $1.newCount }, book.incidents[0].reportedCount)
    }

    func testZeroRepeatIntervalTurnsRemindersOff() {
        var book = IncidentBook(policy: .init(repeatInterval: 0))
        var notices: [Notice] = []
        book.add(azure, time: t0)
        for minute in 1...300 {
            book.add(azure, time: t0 + Double(minute * 60))
            notices += book.advance(to: t0 + Double(minute * 60))
        }
        XCTAssertEqual(notices.filter { $0.kind == .reminder }.count, 0)
        XCTAssertEqual(notices.filter { $0.kind == .digest }.count, 59, "one digest every five minutes instead")
    }

    func testResolveAfterQuietPeriodReportsTotalAndDurationThenForgets() throws {
        var book = IncidentBook()
        book.add(azure, time: t0)
        book.add(azure, time: t0 + 100)
        _ = book.advance(to: t0 + 10)
        XCTAssertEqual(book.advance(to: t0 + 999).filter { $0.kind == .resolved }.count, 0, "quiet for 899 s only")
        let notices = book.advance(to: t0 + 1_000)
        let resolved = try XCTUnwrap(notices.first)
        XCTAssertEqual(resolved.kind, .resolved)
        XCTAssertEqual(resolved.items[0].incident.count, 2)
        XCTAssertEqual(resolved.items[0].incident.duration, 100)
        XCTAssertEqual(resolved.items[0].incident.resolvedAt, t0 + 1_000)
        XCTAssertTrue(book.incidents.isEmpty, "resolved incidents are forgotten")
        XCTAssertNil(book.nextDeadline())
    }

    func testReopenAfterResolveStartsAFreshIncident() {
        var book = IncidentBook()
        book.add(azure, time: t0)
        _ = book.advance(to: t0 + 10)
        _ = book.advance(to: t0 + 900)
        XCTAssertTrue(book.incidents.isEmpty)
        let (incident, isNew) = book.add(azure, time: t0 + 2_000)
        XCTAssertTrue(isNew)
        XCTAssertEqual(incident.count, 1)
        XCTAssertEqual(incident.state, .open)
        let notices = book.advance(to: t0 + 2_010)
        XCTAssertEqual(notices.map(\.kind), [.firing])
        XCTAssertEqual(notices[0].items[0].incident.first.time, t0 + 2_000)
    }

    func testTenThousandIdenticalErrorsGiveOneFiringNoticeThenDigests() {
        var book = IncidentBook()
        var notices: [Notice] = []
        for i in 0..<10_000 {
            let now = t0 + Double(i) * 0.05  // 500 s of errors, 20 a second
            book.add(azure, time: now)
            notices += book.advance(to: now)
        }
        for minute in 1...30 { notices += book.advance(to: t0 + 500 + Double(minute * 60)) }
        XCTAssertEqual(notices.filter { $0.kind == .firing }.count, 1)
        // The burst lasts 500 s: digests at +310 and at the first look after +610 (the tail).
        XCTAssertEqual(notices.filter { $0.kind == .digest }.map(\.time), [t0 + 310, t0 + 620])
        XCTAssertEqual(notices.filter { $0.kind == .resolved }.count, 1)
        XCTAssertEqual(notices.count, 4, "not 10,000")
        XCTAssertEqual(notices.reduce(0) { $0 + $1.newCount }, 10_000)
        XCTAssertEqual(notices.last?.items.first?.incident.count, 10_000)
    }

    func testCodableRoundTripContinuesTheSameTimeline() throws {
        var book = IncidentBook(policy: .init(groupWait: 5, groupInterval: 60))
        book.add(azure, time: t0)
        book.add(proxy, time: t0 + 1)
        _ = book.advance(to: t0 + 5)
        book.add(azure, time: t0 + 20)
        book.add(quota, time: t0 + 21)
        let data = try JSONEncoder().encode(book)
        var restored = try JSONDecoder().decode(IncidentBook.self, from: data)
        XCTAssertEqual(restored.policy, book.policy)
        XCTAssertEqual(restored.incidents.map(\.id), book.incidents.map(\.id))
        XCTAssertEqual(restored.nextDeadline(), book.nextDeadline())
        // A record after the restart joins its incident instead of opening a new one.
        XCTAssertFalse(restored.add(azure, time: t0 + 30).isNew)
        book.add(azure, time: t0 + 30)
        for second in stride(from: 31.0, through: 2_000, by: 7) {
            XCTAssertEqual(restored.advance(to: t0 + second).map(\.id), book.advance(to: t0 + second).map(\.id), "at +\(second)")
        }
        XCTAssertTrue(restored.incidents.isEmpty)
    }

    func testSnapshotOfAnotherVersionIsRefusedClearly() throws {
        let data = try JSONEncoder().encode(IncidentBook())
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["version"] = 99
        XCTAssertThrowsError(try JSONDecoder().decode(IncidentBook.self, from: JSONSerialization.data(withJSONObject: object))) {
            XCTAssertEqual(String(describing: $0), "incident book snapshot version 99 is not \(IncidentBook.snapshotVersion)")
        }
    }

    func testOpenIncidentsAreCappedQuietestFirstAndTheDropIsReported() {
        var book = IncidentBook(policy: .init(maxOpenIncidents: 100))
        for i in 0..<150 { book.add(azure(model: "m\(i)"), time: t0 + Double(i)) }
        XCTAssertLessThanOrEqual(book.incidents.count, 100)
        XCTAssertEqual(book.evictedTotal, 150 - book.incidents.count)
        XCTAssertTrue(book.incidents.contains { $0.fields["model_group"] == "m149" }, "the newest stays")
        XCTAssertFalse(book.incidents.contains { $0.fields["model_group"] == "m0" }, "the quietest goes first")
        let notices = book.advance(to: t0 + 1_000)
        XCTAssertEqual(notices.reduce(0) { $0 + $1.evicted }, book.evictedTotal, "the next notice says how many were dropped")
        XCTAssertEqual(book.advance(to: t0 + 1_001).reduce(0) { $0 + $1.evicted }, 0, "reported once")
    }

    func testNoticeIDsAreStableForTheSameContent() {
        func run() -> [String] {
            var book = IncidentBook()
            book.add(azure, time: t0)
            book.add(proxy, time: t0 + 1)
            return book.advance(to: t0 + 10).map(\.id)
        }
        XCTAssertEqual(run(), run())
        XCTAssertTrue(run()[0].hasPrefix("n-"))
    }

    func testTerminalUpdatesStillWorkBesideThePolicy() {
        var book = IncidentBook()
        let (incident, isNew) = book.add(azure, time: t0)
        XCTAssertTrue(isNew)
        book.markNoticed(incident.id, at: t0)
        book.add(azure, time: t0 + 1)
        XCTAssertEqual(book.dueUpdates(at: t0 + 2, interval: 5).count, 0)
        XCTAssertEqual(book.dueUpdates(at: t0 + 6, interval: 5).map(\.count), [2])
        XCTAssertEqual(book.advance(to: t0 + 10).map(\.kind), [.firing], "the terminal's marks do not consume notices")
    }

    func testPolicyProblemsNameTheirConfigKeys() {
        XCTAssertEqual(IncidentBook.Policy().problems, [])
        let bad = IncidentBook.Policy(groupWait: 60, groupInterval: -1, resolveAfter: 30, maxOpenIncidents: 0)
        XCTAssertEqual(bad.problems, [
            "group_interval must be a non-negative number of seconds, not -1.0",
            "resolve_after (30.0 s) must be longer than group_wait (60.0 s)",
            "max_open_incidents must be at least 1, not 0",
        ])
    }

    func testChangingGroupingOnReloadRegroupsKeptIncidents() {
        var book = IncidentBook()
        book.add(azure, time: t0)
        book.add(proxy, time: t0)
        book.policy.groupBy = .rule
        XCTAssertEqual(book.advance(to: t0 + 10).map(\.group), ["auth/azure-401", "auth/proxy-key"])
    }
}
