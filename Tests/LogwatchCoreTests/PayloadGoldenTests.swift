import Foundation
import XCTest
@testable import LogwatchCore

/// One golden per format for a firing notice with two incidents, a digest and a resolve.
/// JSON goldens are the same value tree indented for review; the test also checks the compact
/// body that is sent is that tree and valid JSON.
final class PayloadGoldenTests: XCTestCase {
    let context = NoticeFixture.context

    func testFixtureTimelineProducesTheNoticesTheGoldensShow() {
        let (firing, digest, resolved) = NoticeFixture.notices
        XCTAssertEqual(firing.items.map(\.incident.ruleID), ["azure-401", "proxy-key"])
        XCTAssertEqual(firing.time, NoticeFixture.t0 + 10)
        XCTAssertEqual(digest.items.map(\.incident.ruleID), ["azure-401", "proxy-key"])
        XCTAssertEqual(digest.items.first?.newCount, 40)
        XCTAssertEqual(resolved.items.map(\.incident.count), [41, 5])
        XCTAssertTrue(resolved.items.allSatisfy { $0.incident.state == .resolved })
    }

    func jsonGoldens(_ name: String, value: (Notice) -> JSONWriter.Value, render: (Notice) -> Payload) throws {
        let (firing, digest, resolved) = NoticeFixture.notices
        for (kind, notice) in [("firing", firing), ("digest", digest), ("resolved", resolved)] {
            let payload = render(notice)
            XCTAssertEqual(payload.contentType, "application/json")
            XCTAssertEqual(payload.string, JSONWriter.write(value(notice)), "\(name) \(kind): the body is the golden's tree")
            let parsed = NoticeFixture.parse(payload)
            XCTAssertNotNil(parsed)
            try NoticeFixture.assertGolden(JSONWriter.write(value(notice), indent: 2) + "\n", "\(name)-\(kind).json")
        }
    }

    func testSlackGoldens() throws {
        let slack = SlackPayload(context: context)
        try jsonGoldens("slack", value: slack.value, render: slack.render)
    }

    func testDiscordGoldens() throws {
        let discord = DiscordPayload(context: context)
        try jsonGoldens("discord", value: discord.value, render: discord.render)
    }

    func testTeamsGoldens() throws {
        let teams = TeamsPayload(context: context)
        try jsonGoldens("teams", value: teams.value, render: teams.render)
    }

    func testGenericWebhookGoldens() throws {
        let webhook = WebhookPayload(context: context)
        try jsonGoldens("webhook", value: webhook.value, render: webhook.render)
    }

    func testAlertmanagerGoldens() throws {
        let alertmanager = AlertmanagerPayload(context: context)
        try jsonGoldens("alertmanager", value: alertmanager.value, render: alertmanager.render)
    }

    func testTerminalTextGoldens() throws {
        let (firing, digest, resolved) = NoticeFixture.notices
        let text = NoticeText(context: context)
        for (kind, notice) in [("firing", firing), ("digest", digest), ("resolved", resolved)] {
            try NoticeFixture.assertGolden(text.text(notice), "text-\(kind).txt")
        }
        let coloured = NoticeText(context: context, style: TextStyle(colour: true)).text(firing)
        XCTAssertTrue(coloured.contains("\u{1B}[1;31m[auth]"), "an error incident's tag is red on a terminal")
    }

    func testSuppressedNoticeGoldens() throws {
        var gate = StormGate(perMinute: 1)
        let (firing, digest, resolved) = NoticeFixture.notices
        _ = gate.admit(firing, at: NoticeFixture.t0)
        XCTAssertEqual(gate.admit(digest, at: NoticeFixture.t0 + 1).count, 0)
        var reminder = digest
        reminder.kind = .reminder
        XCTAssertEqual(gate.admit(reminder, at: NoticeFixture.t0 + 2).count, 0)
        XCTAssertEqual(gate.admit(resolved, at: NoticeFixture.t0 + 3).map(\.kind), [.resolved], "a resolve is never held")
        let summary = try XCTUnwrap(gate.flush(at: NoticeFixture.t0 + 64))
        XCTAssertEqual(summary.kind, .suppressed)
        try NoticeFixture.assertGolden(JSONWriter.write(SlackPayload(context: context).value(summary), indent: 2) + "\n",
                                       "slack-suppressed.json")
        try NoticeFixture.assertGolden(NoticeText(context: context).text(summary), "text-suppressed.txt")
        XCTAssertEqual(AlertmanagerPayload(context: context).render(summary).string, "[]")
    }

    func testADeployContextReachesEveryFormat() {
        var (firing, _, _) = NoticeFixture.notices
        firing.items[0].incident.deployContext = "began 40 s after litellm.service restarted at 12:03:11 UTC"
        for format in NoticeFormat.allCases {
            let text = format.render(firing, context: context).string
            XCTAssertTrue(text.contains("began 40 s after litellm.service restarted at 12:03:11 UTC"), "\(format)")
        }
    }

    func testEveryFormatRendersThroughNoticeFormat() {
        let (firing, _, _) = NoticeFixture.notices
        for format in NoticeFormat.allCases {
            let payload = format.render(firing, context: context)
            XCTAssertFalse(payload.body.isEmpty, "\(format)")
            if format != .text { XCTAssertNotNil(NoticeFixture.parse(payload), "\(format)") }
        }
        XCTAssertEqual(NoticeFormat(rawValue: "alertmanager")?.wantsStormControl, false)
        XCTAssertEqual(NoticeFormat(rawValue: "slack")?.wantsStormControl, true)
    }

    func testAlertmanagerPostsOneAlertPerIncidentWithLabelsAndEndsAt() throws {
        let (firing, _, resolved) = NoticeFixture.notices
        let alerts = try XCTUnwrap(NoticeFixture.parse(AlertmanagerPayload(context: context).render(firing)) as? [[String: Any]])
        XCTAssertEqual(alerts.count, 2)
        let labels = try XCTUnwrap(alerts[0]["labels"] as? [String: String])
        XCTAssertEqual(labels["class"], "auth")
        XCTAssertEqual(labels["rule"], "azure-401")
        XCTAssertEqual(labels["host"], "llm-proxy-1")
        XCTAssertEqual(labels["provider"], "azure")
        XCTAssertEqual(labels["model"], "gpt-4o")
        XCTAssertNil((alerts[1]["labels"] as? [String: String])?["model"], "empty labels are left out")
        let annotations = try XCTUnwrap(alerts[0]["annotations"] as? [String: String])
        XCTAssertEqual(annotations["runbook_url"], "https://runbooks.example.com/logwatch/auth/azure-401.html")
        XCTAssertEqual(alerts[0]["startsAt"] as? String, "2025-11-24T16:00:00Z")
        XCTAssertEqual(alerts[0]["endsAt"] as? String, RFC3339.format(firing.time + context.alertLifetime))
        let closed = try XCTUnwrap(NoticeFixture.parse(AlertmanagerPayload(context: context).render(resolved)) as? [[String: Any]])
        XCTAssertEqual(closed[0]["endsAt"] as? String, RFC3339.format(resolved.time))
    }

    func testSlackEscapesMarkupFromLogText() throws {
        let (firing, _, _) = NoticeFixture.notices
        let body = SlackPayload(context: context).render(firing).string
        XCTAssertTrue(body.contains("&lt;user &amp; team&gt;"), "log text cannot inject Slack links or mentions")
        XCTAssertFalse(body.contains("<user & team>"))
    }

    func testDiscordDisablesMentions() throws {
        let (firing, _, _) = NoticeFixture.notices
        let object = try XCTUnwrap(NoticeFixture.parse(DiscordPayload(context: context).render(firing)) as? [String: Any])
        XCTAssertEqual((object["allowed_mentions"] as? [String: Any])?["parse"] as? [String], [])
        XCTAssertEqual((object["embeds"] as? [Any])?.count, 2)
    }
}
