import Foundation
import XCTest
@testable import LogwatchCore

/// 1,000 planted secrets, in every string an incident carries, through every format and kind:
/// none may appear in any payload.
final class PayloadSecretTests: XCTestCase {
    /// Secrets planted the way RedactorTests plants them: each with the context a log gives it.
    static func planted(_ count: Int) -> [(secret: String, line: String)] {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return (0..<count).map { i in
            let body = String((0..<32).map { _ in alphabet.randomElement(using: &generator)! })
            switch i % 5 {
            case 0: return ("sk-" + body, "Incorrect API key provided: sk-\(body).")
            case 1: return (body, "headers={'Authorization': 'Bearer \(body)'}")
            case 2:
                let hash = String((0..<64).map { _ in Array("0123456789abcdef").randomElement(using: &generator)! })
                return (hash, "Key Hash (Token) =\(hash). Unable to find token")
            case 3: return (body, "\"api_key\": \"\(body)\"")
            default: return (body, "https://hooks.slack.com/services/\(body)")
            }
        }
    }

    func formats(_ notice: Notice, _ context: NoticeContext) -> [String] {
        NoticeFormat.allCases.map { $0.render(notice, context: context).string }
            + [NoticeText(context: context, style: TextStyle(colour: true)).text(notice)]
    }

    func testNoPlantedSecretReachesAnyPayload() {
        let secrets = Self.planted(1_000)
        var leaks: [String] = []
        let kinds: [Notice.Kind] = [.firing, .digest, .reminder, .resolved, .suppressed]
        for (i, planted) in secrets.enumerated() {
            var incident = NoticeFixture.notices.firing.items[0].incident
            // Every string an incident carries holds the secret, as a log would write it.
            incident.title = "Title " + planted.line
            incident.sample = "sample before\n" + planted.line + "\nafter"
            incident.fields = ["detail": planted.line, "api_key": planted.secret, "provider": "azure"]
            incident.fingerprint = ["detail": planted.line]
            incident.template = planted.line
            incident.first.source = "/var/log/" + planted.line
            incident.last.timestamp = planted.line
            incident.ruleID = planted.line
            // The entry is the catalogue's own words (trusted, never redacted: TrustedTextTests);
            // secrets come from logs, so they are planted in everything the log gave the incident.
            let entry = NoticeFixture.context.entries["azure-401"]!
            let context = NoticeContext(host: "host " + planted.line, links: NoticeFixture.context.links,
                                        entries: [planted.line: entry])
            let kind = kinds[i % kinds.count]
            let notice = Notice(kind: kind, time: NoticeFixture.t0, group: "auth " + planted.line,
                                items: [.init(incident: incident, newCount: 1)], suppressed: kind == .suppressed ? 1 : 0)
            for body in formats(notice, context) where body.contains(planted.secret) {
                leaks.append(String(body.prefix(300)))
            }
        }
        XCTAssertEqual(leaks.count, 0, "leaked: \(leaks.prefix(2))")
    }

    func testSecretsInLogRecordsDoNotReachPayloadsThroughTheBook() {
        let secrets = Self.planted(1_000)
        var book = IncidentBook(policy: .init(groupBy: .incident))
        for (i, planted) in secrets.enumerated() {
            // A distinct model per line makes a distinct incident, so every sample is shown.
            let text = "litellm.AuthenticationError: AzureException - \(planted.line) Received Model Group=m\(i)"
            book.add(NoticeFixture.classify(text, line: i + 1), time: NoticeFixture.t0)
        }
        let notices = book.advance(to: NoticeFixture.t0 + 10)
        XCTAssertEqual(notices.count, 1_000)
        var leaks = 0
        for notice in notices {
            // Each notice holds one incident, opened by line m<i>; its secret is secrets[i].
            guard let model = notice.items.first?.incident.fields["model_group"], let i = Int(model.dropFirst()) else {
                XCTFail("unexpected notice \(notice.items.map(\.incident.fields))")
                continue
            }
            let bodies = formats(notice, NoticeFixture.context).joined()
            if bodies.contains(secrets[i].secret) { leaks += 1 }
        }
        XCTAssertEqual(leaks, 0)
    }
}
