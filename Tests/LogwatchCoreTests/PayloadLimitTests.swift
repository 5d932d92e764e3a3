import Foundation
import XCTest
@testable import LogwatchCore

/// An incident far bigger than any platform accepts (60 long fields, a 50 KB sample, a long
/// title), alone and thirty at once: every payload stays valid and within its platform's limits,
/// and says "+N more" where it cut.
final class PayloadLimitTests: XCTestCase {
    let context = NoticeFixture.context

    static func huge(_ i: Int = 0) -> Incident {
        var incident = NoticeFixture.notices.firing.items[0].incident
        incident.id = "i-huge\(i)"
        incident.title = String(repeating: "Very long title with émojis 🔥 and <markup> & more ", count: 12)
        incident.fields = [:]
        for f in 0..<60 { incident.fields["field_\(f < 10 ? "0" : "")\(f)"] = String(repeating: "value-\(f)-ü ", count: 100) }
        var sample = ""
        var line = 0
        while sample.utf8.count < 50_000 {
            sample += "line \(line): Traceback frame with ```fences``` and <tags> & ampersands é 👍🏽\n"
            line += 1
        }
        incident.sample = sample
        incident.count = 123_456
        return incident
    }

    func notices() -> [Notice] {
        var result: [Notice] = []
        for kind in [Notice.Kind.firing, .digest, .reminder, .resolved] {
            result.append(Notice(kind: kind, time: NoticeFixture.t0, group: "auth", items: [.init(incident: Self.huge(), newCount: 99)]))
            result.append(Notice(kind: kind, time: NoticeFixture.t0, group: "auth",
                                 items: (0..<30).map { .init(incident: Self.huge($0), newCount: $0) }, evicted: 3, dropped: 2))
        }
        result.append(Notice(kind: .suppressed, time: NoticeFixture.t0, group: "storm",
                             items: (0..<10).map { .init(incident: Self.huge($0), newCount: 1) }, suppressed: 500))
        return result
    }

    func length(_ any: Any?) -> Int { (any as? String)?.utf16.count ?? 0 }

    func testSlackStaysWithinBlockKitLimits() throws {
        for notice in notices() {
            let payload = SlackPayload(context: context).render(notice)
            let object = try XCTUnwrap(NoticeFixture.parse(payload) as? [String: Any])
            XCTAssertLessThanOrEqual(length(object["text"]), SlackPayload.Limit.fallbackText)
            let blocks = try XCTUnwrap(object["blocks"] as? [[String: Any]])
            XCTAssertLessThanOrEqual(blocks.count, 50, "\(notice.kind)")
            for block in blocks {
                let text = (block["text"] as? [String: Any])?["text"]
                switch block["type"] as? String {
                case "header": XCTAssertLessThanOrEqual(length(text), 150)
                case "section":
                    XCTAssertLessThanOrEqual(length(text), 3_000)
                    let fields = block["fields"] as? [[String: Any]] ?? []
                    XCTAssertLessThanOrEqual(fields.count, 10)
                    for field in fields { XCTAssertLessThanOrEqual(length(field["text"]), 2_000) }
                case "context": XCTAssertLessThanOrEqual((block["elements"] as? [Any])?.count ?? 0, 10)
                case "divider": break
                default: XCTFail("unexpected block \(block)")
                }
            }
            // Thirty incidents in full need more than 50 blocks; as digest lines they fit.
            if (notice.items.count > 1 && [.firing, .reminder].contains(notice.kind)) || notice.kind == .suppressed {
                XCTAssertTrue(payload.string.contains("more incident"), "\(notice.kind): says what it cut")
            }
            if notice.kind == .firing { XCTAssertTrue(payload.string.contains("+51 more fields"), "10 fields shown, one of them '+N more'") }
        }
    }

    func testDiscordStaysWithinEmbedLimits() throws {
        for notice in notices() {
            let payload = DiscordPayload(context: context).render(notice)
            let object = try XCTUnwrap(NoticeFixture.parse(payload) as? [String: Any])
            XCTAssertLessThanOrEqual(length(object["content"]), 2_000)
            let embeds = try XCTUnwrap(object["embeds"] as? [[String: Any]])
            XCTAssertLessThanOrEqual(embeds.count, 10)
            var total = 0
            for embed in embeds {
                XCTAssertLessThanOrEqual(length(embed["title"]), 256)
                XCTAssertLessThanOrEqual(length(embed["description"]), 4_096)
                let footer = length((embed["footer"] as? [String: Any])?["text"])
                XCTAssertLessThanOrEqual(footer, 2_048)
                let fields = embed["fields"] as? [[String: Any]] ?? []
                XCTAssertLessThanOrEqual(fields.count, 25)
                for field in fields {
                    XCTAssertLessThanOrEqual(length(field["name"]), 256)
                    XCTAssertLessThanOrEqual(length(field["value"]), 1_024)
                    XCTAssertGreaterThan(length(field["value"]), 0, "Discord rejects empty field values")
                    total += length(field["name"]) + length(field["value"])
                }
                total += length(embed["title"]) + length(embed["description"]) + footer
            }
            XCTAssertLessThanOrEqual(total, 6_000, "\(notice.kind) with \(notice.items.count)")
            if notice.items.count > 10 || notice.kind == .suppressed { XCTAssertTrue(payload.string.contains("more incident")) }
            if notice.kind == .firing && notice.items.count == 1 { XCTAssertTrue(payload.string.contains("more fields")) }
        }
    }

    func testTeamsStaysUnderTheMessageSize() throws {
        for notice in notices() {
            let payload = TeamsPayload(context: context).render(notice)
            XCTAssertLessThanOrEqual(payload.body.count, 20_000, "\(notice.kind) with \(notice.items.count)")
            let object = try XCTUnwrap(NoticeFixture.parse(payload) as? [String: Any])
            XCTAssertEqual(object["type"] as? String, "message")
            let attachment = try XCTUnwrap((object["attachments"] as? [[String: Any]])?.first)
            XCTAssertEqual(attachment["contentType"] as? String, "application/vnd.microsoft.card.adaptive")
            XCTAssertEqual((attachment["content"] as? [String: Any])?["type"] as? String, "AdaptiveCard")
            if (notice.items.count > 1 && [.firing, .reminder].contains(notice.kind)) || notice.kind == .suppressed {
                XCTAssertTrue(payload.string.contains("more incident"), "\(notice.kind)")
            }
        }
    }

    func testWebhookAndAlertmanagerBoundTheSample() throws {
        for notice in notices() where notice.kind != .suppressed {
            let webhook = try XCTUnwrap(NoticeFixture.parse(WebhookPayload(context: context).render(notice)) as? [String: Any])
            XCTAssertEqual(webhook["schema"] as? String, "logwatch.notice/v1")
            for incident in webhook["incidents"] as? [[String: Any]] ?? [] {
                XCTAssertLessThanOrEqual(length(incident["sample"]), 4_000)
                XCTAssertEqual((incident["fields"] as? [String: Any])?.count, 60, "the generic schema keeps every field")
            }
            let alerts = try XCTUnwrap(NoticeFixture.parse(AlertmanagerPayload(context: context).render(notice)) as? [[String: Any]])
            XCTAssertEqual(alerts.count, notice.items.count, "one alert per incident")
            for alert in alerts {
                for (_, value) in alert["annotations"] as? [String: String] ?? [:] { XCTAssertLessThanOrEqual(value.utf16.count, 4_000) }
            }
        }
    }
}
