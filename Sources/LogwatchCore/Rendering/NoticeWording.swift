/// The words every notice format shares, so Slack, Discord, Teams, the webhook and the terminal
/// say the same thing. Nothing here is redacted yet: renderers pass it through `safe`.
enum NoticeWording {
    static func verb(_ kind: Notice.Kind) -> String {
        switch kind {
        case .firing: "New"
        case .digest: "Update"
        case .reminder: "Still firing"
        case .resolved: "Resolved"
        case .suppressed: "Storm control"
        }
    }

    /// One line naming what the notice is about.
    static func headline(_ notice: Notice) -> String {
        if notice.kind == .suppressed {
            return "Storm control: \(plural(notice.suppressed, "more incident")) suppressed" + (folded(notice).map { " (\($0))" } ?? "")
        }
        if notice.items.count == 1 { return "\(verb(notice.kind)): \(notice.items[0].incident.title)" }
        let classes = Set(notice.items.map(\.incident.ruleClass))
        let what = classes.count == 1 ? "\(classes.first!.rawValue) incidents" : "incidents"
        return "\(verb(notice.kind)): \(notice.items.count) \(what)"
    }

    /// What a storm fold held back: "3 updates and 1 reminder held back".
    static func folded(_ notice: Notice) -> String? {
        let words: [(Notice.Kind, String)] = [(.firing, "new incident notice"), (.digest, "update"), (.reminder, "reminder"),
                                              (.resolved, "resolve")]
        let parts = words.compactMap { kind, noun in notice.folded[kind.rawValue].map { plural($0, noun) } }
        guard !parts.isEmpty else { return nil }
        let list = parts.count == 1 ? parts[0] : parts.dropLast().joined(separator: ", ") + " and " + parts.last!
        return list + " held back"
    }

    /// Names the incidents behind "also seen": the other signatures the failure logged.
    static func alsoSeen(_ incident: Incident) -> String? {
        incident.alsoSeenText.map { "also seen: " + $0 }
    }

    /// "42 records (+5 new)", or for a resolved incident "42 records over 12m 5s".
    static func counts(_ item: Notice.Item, kind: Notice.Kind) -> String {
        let incident = item.incident
        var text = plural(incident.count, "record")
        if kind == .resolved {
            text += " over " + duration(incident.duration)
        } else if kind != .firing && item.newCount > 0 {
            text += " (+\(item.newCount) new)"
        }
        return text
    }

    static func sighting(_ sighting: Sighting) -> String {
        var text = RFC3339.format(sighting.time) + " at \(sighting.source):\(sighting.line)"
        if let timestamp = sighting.timestamp { text += " (log time \(timestamp))" }
        return text
    }

    /// The fields worth showing: non-empty, without per-request ids, sorted by name, values
    /// redacted by name as well as by content.
    static func fields(_ incident: Incident, _ context: NoticeContext) -> [(String, String)] {
        incident.fields.filter { $0.key != "request_id" && !$0.value.isEmpty }.sorted { $0.key < $1.key }
            .map { ($0.key, context.redactor.redact(field: $0.key, value: $0.value)) }
    }

    /// "12m 5s", "4h 3m", "45s".
    static func duration(_ seconds: Double) -> String {
        let total = seconds.isFinite ? max(0, Int(seconds.rounded())) : 0
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m \(total % 60)s" }
        if total < 86_400 { return "\(total / 3600)h \(total % 3600 / 60)m" }
        return "\(total / 86_400)d \(total % 86_400 / 3600)h"
    }

    /// Lines about what was lost on the way: incidents dropped from memory, notices dropped
    /// from a full outbox.
    static func losses(_ notice: Notice) -> [String] {
        var lines: [String] = []
        if notice.evicted > 0 {
            lines.append("\(plural(notice.evicted, "incident")) dropped from memory (open incident cap reached).")
        }
        if notice.dropped > 0 {
            lines.append("\(plural(notice.dropped, "notice")) dropped because the outbox was full.")
        }
        return lines
    }

    /// How to read the full entry: its link, or the command that prints it.
    static func entryPointer(_ incident: Incident, context: NoticeContext) -> String? {
        if let link = context.link(for: incident) { return link }
        return incident.ruleClass == .unknown ? nil : EntryLinks.explainCommand(incident.ruleID)
    }

    static func plural(_ count: Int, _ noun: String) -> String {
        count == 1 ? "1 \(noun)" : "\(count) \(noun)s"
    }

    /// Keeps a sample from closing a Markdown code fence early.
    static func fenceSafe(_ text: String) -> String {
        text.split(separator: "```", omittingEmptySubsequences: false).joined(separator: "`\u{200B}`\u{200B}`")
    }
}
