import Foundation
import XCTest
@testable import LogwatchCore

/// Redaction never damages the catalogue's own words (issue 15): an entry's summary, causes and
/// quick fix reach every format and the terminal whole, placeholders included, while a secret
/// from the log in the same notice is still masked.
final class TrustedTextTests: XCTestCase {
    /// Lines the redactor would damage if they went through it (each was seen in the catalogue
    /// or is shaped like its quick fixes).
    static let placeholders = [
        "DATABASE_URL=postgresql://llmproxy:<password>@db:5432/litellm",
        "api_key: <your-azure-api-key>",
        "x-api-key: <your-litellm-virtual-key>",
        "REDIS_URL=redis://default:<redis-password>@cache:6379",
    ]
    static let logSecret = "sk-proj-Zq8LmN4pX7vR2tY6wB1cD9eF"

    func testEntriesKeepTheirPlaceholdersInEveryFormatAndSecretsFromLogsAreStillMasked() throws {
        // The guard is real: each placeholder line is changed by the redactor.
        let redactor = Redactor()
        for line in Self.placeholders { XCTAssertNotEqual(redactor.redact(line), line, line) }

        var entry = try XCTUnwrap(NoticeFixture.context.entries["azure-401"])
        entry.quickFix = "Point the proxy at the right services:\n" + Self.placeholders.joined(separator: "\n")
        entry.summary = "The key in " + Self.placeholders[1] + " was refused."
        var entries = NoticeFixture.context.entries
        entries["azure-401"] = entry
        let context = NoticeContext(host: "llm-proxy-1", links: NoticeFixture.context.links, entries: entries)
        var notice = NoticeFixture.notices.firing
        let index = try XCTUnwrap(notice.items.firstIndex { $0.incident.ruleID == "azure-401" })
        notice.items[index].incident.sample = "Incorrect API key provided: \(Self.logSecret). Received Model Group=gpt-4o"

        var outputs: [(String, String)] = NoticeFormat.allCases.map { format in
            (format.rawValue, Self.strings(format.render(notice, context: context)).joined(separator: "\n"))
        }
        outputs.append(("terminal", NoticeText(context: context).text(notice)))
        for (name, text) in outputs {
            XCTAssertFalse(text.contains(Self.logSecret), "\(name): the log's secret is masked")
            if name == "alertmanager" {
                // Alertmanager carries the quick fix in its description annotation.
                for line in Self.placeholders { XCTAssertTrue(text.contains(line), "\(name): \(line)") }
                continue
            }
            for line in Self.placeholders { XCTAssertTrue(text.contains(line), "\(name) keeps '\(line)' whole") }
            XCTAssertTrue(text.contains(entry.summary), "\(name) keeps the summary whole")
            XCTAssertFalse(text.contains("****ord>"), name)
        }
    }

    func testMixedTextIsRedactedAroundTheTrustedWordsOnly() {
        let context = NoticeFixture.context
        let trusted = "postgresql://llmproxy:<password>@db:5432/litellm"
        let text = "log: postgresql://app:hunter2secret@db/x\nfix: \(trusted)\nlog again: api_key=abcdef123456"
        let out = context.safe(text, keeping: [trusted])
        XCTAssertTrue(out.contains(trusted))
        XCTAssertFalse(out.contains("hunter2secret"))
        XCTAssertFalse(out.contains("abcdef123456"))
        XCTAssertEqual(context.safe("no trusted text here api_key=abcdef123456", keeping: []),
                       context.safe("no trusted text here api_key=abcdef123456"))
    }

    /// Every string in a payload: JSON strings decoded (Slack's mrkdwn escapes undone), or the text.
    static func strings(_ payload: Payload) -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload.body)) else { return [payload.string] }
        var out: [String] = []
        func walk(_ value: Any) {
            if let text = value as? String {
                out.append(text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                    .replacingOccurrences(of: "&amp;", with: "&"))
            } else if let array = value as? [Any] {
                array.forEach(walk)
            } else if let dictionary = value as? [String: Any] {
                dictionary.values.forEach(walk)
            }
        }
        walk(object)
        return out
    }
}
