// Rendering/: everything a person or a receiver reads (notices, entries, RecordJSON; Payloads/
// per webhook format). Pure core. May use: Incidents/, Rules/, Support/.
// The map of all rooms: docs/architecture.md.

/// The notice formats, as `--webhook-format` and the config name them (plus the terminal's).
public enum NoticeFormat: String, Sendable, CaseIterable, Codable {
    case slack, discord, teams, generic, alertmanager, text

    /// The payload for one notice in this format.
    public func render(_ notice: Notice, context: NoticeContext) -> Payload {
        switch self {
        case .slack: SlackPayload(context: context).render(notice)
        case .discord: DiscordPayload(context: context).render(notice)
        case .teams: TeamsPayload(context: context).render(notice)
        case .generic: WebhookPayload(context: context).render(notice)
        case .alertmanager: AlertmanagerPayload(context: context).render(notice)
        case .text: NoticeText(context: context).render(notice)
        }
    }

    /// Whether storm control should gate this format (Alertmanager groups and throttles itself,
    /// and dropping its re-posts would let firing alerts lapse).
    public var wantsStormControl: Bool { self != .alertmanager }
}
