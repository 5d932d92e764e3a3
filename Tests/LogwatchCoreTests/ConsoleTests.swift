import Foundation
import XCTest
@testable import LogwatchCore

/// Issue 18 in the core: silences, the console's snapshot and its renderings, fleet config keys.
final class ConsoleTests: XCTestCase {
    let t0 = NoticeFixture.t0

    /// The fixture's open incidents at t0 + 30: azure (count 3), proxy-key, openai-429; all
    /// resolve by t0 + 640.
    func book() -> IncidentBook {
        var book = IncidentBook(policy: IncidentBook.Policy(resolveAfter: 600))
        book.add(NoticeFixture.classify(NoticeFixture.azureLine, line: 10), time: t0)
        book.add(NoticeFixture.classify(NoticeFixture.proxyLine, line: 12), time: t0 + 2)
        book.add(NoticeFixture.classify(NoticeFixture.quotaLine, line: 15), time: t0 + 5)
        book.add(NoticeFixture.classify(NoticeFixture.azureLine, line: 20), time: t0 + 20)
        book.add(NoticeFixture.classify(NoticeFixture.azureLine, line: 30), time: t0 + 30)
        return book
    }

    func testMatchersParseAndRejectWithOneLineReasons() {
        XCTAssertEqual(try Silence.Matcher.parse("azure-401").get(), .rule("azure-401"))
        XCTAssertEqual(try Silence.Matcher.parse("rule=azure-401").get(), .rule("azure-401"))
        XCTAssertEqual(try Silence.Matcher.parse("class=quota").get(), .ruleClass(.quota))
        XCTAssertEqual(try Silence.Matcher.parse("fingerprint=i-0123abcd").get(), .incident("i-0123abcd"))
        XCTAssertEqual(try Silence.Matcher.parse("incident=i-0123abcd").get(), .incident("i-0123abcd"))
        for bad in ["class=nope", "fingerprint=abc", "Azure 401", "host=proxy-1", "", "rule="] {
            guard case .failure(let problem) = Silence.Matcher.parse(bad) else { return XCTFail("accepted '\(bad)'") }
            XCTAssertFalse(problem.description.contains("\n"), problem.description)
        }
    }

    func testASilenceHoldsBackOnlyWhatItMatchesAndOnlyWhileActive() {
        var book = self.book()
        let notices = book.advance(to: t0 + 60)
        let auth = notices.first { $0.group == "auth" }!
        XCTAssertEqual(Set(auth.items.map(\.incident.ruleID)), ["azure-401", "proxy-key"])
        let silence = Silence(id: "s-1", matcher: .rule("azure-401"), createdAt: t0, endsAt: t0 + 120, comment: "rotating")
        let (kept, silenced) = Silence.filter(auth, silences: [silence], at: t0 + 60)
        XCTAssertEqual(kept?.items.map(\.incident.ruleID), ["proxy-key"])
        XCTAssertEqual(silenced.map(\.ruleID), ["azure-401"])
        // Expired: everything goes out again.
        XCTAssertEqual(Silence.filter(auth, silences: [silence], at: t0 + 120).kept?.items.count, 2)
        // A class silence empties the notice.
        let all = Silence(id: "s-2", matcher: .ruleClass(.auth), createdAt: t0, endsAt: t0 + 600, comment: "")
        XCTAssertNil(Silence.filter(auth, silences: [all], at: t0 + 60).kept)
        // By incident id: the one incident, not its rule's others.
        let azureID = auth.items.first { $0.incident.ruleID == "azure-401" }!.incident.id
        let one = Silence(id: "s-3", matcher: .incident(azureID), createdAt: t0, endsAt: t0 + 600, comment: "")
        XCTAssertEqual(Silence.filter(auth, silences: [one], at: t0 + 60).silenced.map(\.id), [azureID])
    }

    func snapshot() -> IncidentSnapshot {
        var book = self.book()
        var resolvedIncidents: [Incident] = []
        for second in stride(from: 0.0, through: 2_000, by: 10) {
            for notice in book.advance(to: t0 + second) where notice.kind == .resolved { resolvedIncidents += notice.incidents }
            if second == 700 { book.add(NoticeFixture.classify(NoticeFixture.azureLine, line: 40), time: t0 + second) }
            if second == 1_000 { break }
        }
        let silence = Silence(id: "s-00c0ffee", matcher: .ruleClass(.auth), createdAt: t0 + 900, endsAt: t0 + 8_100,
                              comment: "key rotation in progress")
        return IncidentSnapshot(host: "llm-proxy-1", now: t0 + 1_000, open: book.incidents, resolved: resolvedIncidents,
                                silences: [silence], links: EntryLinks(baseURL: "http://127.0.0.1:9466/entries"))
    }

    func testSnapshotListsOpenThenResolvedWithSilenceStateAndRedactedEvidence() throws {
        let snapshot = snapshot()
        XCTAssertEqual(snapshot.open.map(\.rule), ["azure-401"], "the azure incident reopened at +700")
        XCTAssertEqual(Set(snapshot.resolved.map(\.rule)), ["azure-401", "proxy-key", "openai-429"])
        XCTAssertEqual(snapshot.open.first?.silence, "s-00c0ffee")
        XCTAssertNil(snapshot.resolved.first { $0.rule == "openai-429" }?.silence, "a class=auth silence leaves quota alone")
        let json = String(decoding: try JSONEncoder().encode(snapshot), as: UTF8.self)
        XCTAssertFalse(json.contains("AbCdEf1234567890"), "a key in the evidence leaked: \(json)")
        XCTAssertTrue(json.contains("\"first_seen\""))
        XCTAssertEqual(try JSONDecoder().decode(IncidentSnapshot.self, from: Data(json.utf8)), snapshot, "round trip")
    }

    func testStatusTextAndPageMatchTheirGoldens() throws {
        let snapshot = snapshot()
        try NoticeFixture.assertGolden(IncidentConsole.text(snapshot), "console-status.txt")
        let html = IncidentConsole.html(snapshot)
        try NoticeFixture.assertGolden(html, "console-incidents.html")
        // Self-contained: no script, no external reference other than its own listener's paths.
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("src="))
        XCTAssertTrue(html.contains("http-equiv=\"refresh\""))
        XCTAssertEqual(html.components(separatedBy: "<tr class=\"incident").count - 1, snapshot.incidents.count)
    }

    func testHostAndReplicaURLsParseIntoLanes() throws {
        var config = try ConfigParser().parse("""
            host: proxy-eu-1
            sinks:
              - { name: am, type: alertmanager, urls: [http://am-1:9093, http://am-2:9093] }
              - { name: one, type: alertmanager, urls: [http://am-1:9093] }
              - { name: hook, type: generic, url: http://hook:8080/x }
            """, file: "c.yaml")
        XCTAssertEqual(config.host, "proxy-eu-1")
        XCTAssertEqual(config.sinks[0].lanes.map(\.name), ["am@1", "am@2"])
        XCTAssertEqual(config.sinks[0].lanes.map(\.url), ["http://am-1:9093", "http://am-2:9093"])
        XCTAssertEqual(config.sinks[1].lanes.map(\.name), ["one"])
        XCTAssertEqual(config.sinks[2].lanes.map(\.name), ["hook"])
        // The effective config prints back to the same config.
        config.stateDirectory = "/var/lib/logwatch"
        let printed = ConfigRenderer.render(config)
        XCTAssertTrue(printed.contains("host: proxy-eu-1"), printed)
        XCTAssertEqual(try ConfigParser().parse(printed, file: "printed.yaml").sinks[0].urls, config.sinks[0].urls)
    }

    func testBadFleetKeysAreOneLineProblemsWithTheirKey() {
        let cases: [(String, String)] = [
            ("sinks: [{ type: slack, urls: [http://a:1] }]", "sinks[0].urls"),
            ("sinks: [{ type: alertmanager, urls: [] }]", "sinks[0].urls"),
            ("sinks: [{ type: alertmanager, urls: [http://a:9093, http://a:9093] }]", "sinks[0].urls[1]"),
            ("sinks: [{ type: alertmanager, urls: [http://a:9093/api/v2/alerts] }]", "sinks[0].urls[0]"),
            ("sinks: [{ type: alertmanager, url: http://a:9093, urls: [http://b:9093] }]", "sinks[0]"),
            ("host: \"a\\nb\"", "host"),
        ]
        for (text, key) in cases {
            do {
                _ = try ConfigParser().parse(text, file: "c.yaml")
                XCTFail("accepted: \(text)")
            } catch {
                XCTAssertTrue(error.problems.contains { $0.key == key }, "\(text): \(error.problems)")
            }
        }
    }
}
