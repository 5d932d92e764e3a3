import XCTest
@testable import LogwatchCore

final class StormGateTests: XCTestCase {
    let t0 = NoticeFixture.t0

    /// Updates: what storm control may hold (first notices and resolves it never holds).
    func notice(_ i: Int, at time: Double, kind: Notice.Kind = .digest) -> Notice {
        var incident = NoticeFixture.notices.firing.items[0].incident
        incident.id = "i-\(i)"
        incident.title = "Incident \(i)"
        return Notice(kind: kind, time: time, group: "auth", items: [.init(incident: incident, newCount: 1)])
    }

    func testFirstNoticesAndResolvesAreNeverHeldAndTheFoldSaysWhatItHeld() throws {
        var gate = StormGate(perMinute: 1)
        var sent: [Notice] = []
        sent += gate.admit(notice(0, at: t0, kind: .firing), at: t0)
        sent += gate.admit(notice(1, at: t0 + 1, kind: .firing), at: t0 + 1)
        sent += gate.admit(notice(2, at: t0 + 2), at: t0 + 2)
        sent += gate.admit(notice(3, at: t0 + 3, kind: .reminder), at: t0 + 3)
        sent += gate.admit(notice(0, at: t0 + 4, kind: .resolved), at: t0 + 4)
        XCTAssertEqual(sent.map(\.kind), [.firing, .firing, .resolved])
        let summary = try XCTUnwrap(gate.flush(at: t0 + 65))
        XCTAssertEqual(summary.folded, ["digest": 1, "reminder": 1])
        XCTAssertEqual(NoticeWording.headline(summary), "Storm control: 2 more incidents suppressed (1 update and 1 reminder held back)")
    }

    func testCapPerMinuteFoldsTheExcessIntoOneSuppressedNotice() throws {
        var gate = StormGate(perMinute: 3)
        var sent: [Notice] = []
        for i in 0..<10 { sent += gate.admit(notice(i, at: t0 + Double(i)), at: t0 + Double(i)) }
        XCTAssertEqual(sent.map { $0.items[0].incident.id }, ["i-0", "i-1", "i-2"])
        XCTAssertEqual(gate.pendingSuppressed, 7)
        XCTAssertEqual(gate.nextDeadline(), t0 + 60)
        XCTAssertNil(gate.flush(at: t0 + 59.9), "the window has no room yet")
        let summary = try XCTUnwrap(gate.flush(at: t0 + 60))
        XCTAssertEqual(summary.kind, .suppressed)
        XCTAssertEqual(summary.suppressed, 7)
        XCTAssertEqual(summary.items.count, 7)
        XCTAssertEqual(gate.pendingSuppressed, 0)
        XCTAssertNil(gate.nextDeadline())
        XCTAssertEqual(gate.admit(notice(20, at: t0 + 61), at: t0 + 61).count, 1, "room again for a real notice")
    }

    func testSummaryGoesOutBeforeTheNextNoticeWhenTheWindowAllows() {
        var gate = StormGate(perMinute: 2)
        _ = gate.admit(notice(0, at: t0), at: t0)
        _ = gate.admit(notice(1, at: t0), at: t0)
        XCTAssertEqual(gate.admit(notice(2, at: t0 + 1), at: t0 + 1).count, 0)
        let out = gate.admit(notice(3, at: t0 + 61), at: t0 + 61)
        XCTAssertEqual(out.map(\.kind), [.suppressed, .digest])
        XCTAssertEqual(out[0].suppressed, 1)
    }

    func testTheSameIncidentHeldTwiceCountsOnceAndTheListIsBounded() {
        var gate = StormGate(perMinute: 1)
        gate.listed = 5
        _ = gate.admit(notice(0, at: t0), at: t0)
        for i in 0..<40 { _ = gate.admit(notice(i % 20, at: t0 + 1), at: t0 + 1) }
        XCTAssertEqual(gate.pendingSuppressed, 20)
        XCTAssertEqual(gate.pendingNotices, 40)
        XCTAssertEqual(gate.flush(at: t0 + 60)?.items.count, 5)
    }

    func testZeroTurnsTheGateOff() {
        var gate = StormGate(perMinute: 0)
        for i in 0..<100 { XCTAssertEqual(gate.admit(notice(i, at: t0), at: t0).count, 1) }
    }

    func testGateStateSurvivesARestart() throws {
        var gate = StormGate(perMinute: 1)
        _ = gate.admit(notice(0, at: t0), at: t0)
        _ = gate.admit(notice(1, at: t0 + 1), at: t0 + 1)
        var restored = try JSONDecoder().decode(StormGate.self, from: JSONEncoder().encode(gate))
        XCTAssertNil(restored.flush(at: t0 + 30))
        XCTAssertEqual(restored.flush(at: t0 + 60)?.suppressed, 1)
    }
}
